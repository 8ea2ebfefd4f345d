/** The certificates feature's public entry: the public verification page and the event page's parts. */
export { CpdPanel } from './components/cpd-panel';
export { MyCertificate } from './components/my-certificate';
export { VerifyCertificatePage } from './components/verify-page';
