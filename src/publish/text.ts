/**
 * URL checks shared by the renderers (the rule itself lives in util/url).
 */
export { httpUrlOf, isHttpUrl } from '../util/url.js';
