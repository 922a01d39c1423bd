/**
 * The defaults of whitening, in whitening.ts and in the sfl config (pipeline/config.ts takes them
 * from here): epsilon as UFLDL's for data in [0, 1]; the variance fraction PCA keeps when it
 * reduces. A file of its own so that reading the config does not load the whitening code and
 * TensorFlow.js with it.
 */
export const WHITENING_DEFAULTS = { epsilon: 0.1, retainVariance: 0.99 } as const;
