/** What a help text is about: the main command or a subcommand. */
export type HelpTopic = 'stylize' | 'export-grad' | 'models' | 'predict-style' | 'convert';

/** The subcommands, each a help topic of its own. */
export const SUBCOMMANDS: readonly Exclude<HelpTopic, 'stylize'>[] = ['export-grad', 'models', 'predict-style', 'convert'];

/** A command-line mistake: printed as one line, `pastiche: <message> (see pastiche [<topic>] --help)`, with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';

  constructor(
    message: string,
    /** The help that explains the right usage. */
    readonly topic: HelpTopic = 'stylize',
  ) {
    super(message);
  }
}
