/** The events feature's public entry: pages for the router and the organisation's events tab. */
export { EventDirectoryPage } from './components/directory-page';
export { EventPage } from './components/event-page';
export { EventsPanel } from './components/events-panel';
export { ManageEventPage } from './components/manage-page';
export { MyRegistrationsPage } from './components/my-registrations-page';
