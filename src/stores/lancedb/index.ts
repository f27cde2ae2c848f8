export { LanceStore, type LanceStoreTuning, type VectorIndexKind } from './lance-store.js';
export { openLanceStore, type OpenLanceStoreOptions } from './open-lance-store.js';
export { MANIFEST_FILE, type StoreManifest } from './store-manifest.js';
