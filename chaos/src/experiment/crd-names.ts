/** Where `Experiment` objects live in the Kubernetes API (group/version/plural). */
export const CRD_GROUP = 'chaos.faultline.dev';
export const CRD_VERSION = 'v1alpha1';
export const CRD_PLURAL = 'experiments';
