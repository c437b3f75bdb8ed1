/** Item identity: infoCodes, canonical links and deduplication keys (INTERFACE §3). */
export { canonicalInfoCode, comparisonForm, extractInfoCode, sameInfoCode } from './info-code.js';
export { canonicalLink } from './canonical-link.js';
export { identify, infoCodeKey } from './identify.js';
