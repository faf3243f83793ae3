/** The loss network used when none is given: the fastest one. */
export const DEFAULT_LOSS_NETWORK = 'squeezenet';

/** Short names of the catalog's loss networks (`lossNetworks` in models/onnx/catalog.json). */
export const LOSS_NETWORK_ALIASES: Readonly<Record<string, string>> = Object.freeze({ squeezenet: 'squeezenet1.1', vgg19: 'vgg19-partial' });
