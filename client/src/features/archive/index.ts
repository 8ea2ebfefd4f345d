/** The archive feature's public entry: its pages for the router and the organisation's recordings tab. */
export { ArchivePage } from './components/archive-page';
export { OrgRecordingsPanel } from './components/org-recordings-panel';
export { RecordingPage } from './components/recording-page';
