// SCIM events (RFC 9967): URIs, subjects, and the events of a change, as pure values.
export * from './attributes.js';
export * from './events.js';
export * from './subject.js';
export * from './uris.js';
