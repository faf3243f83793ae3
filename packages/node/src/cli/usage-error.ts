/** What a help text is about: the main command or a subcommand. */
export type HelpTopic = 'stylize' | 'export-grad' | 'models';

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
