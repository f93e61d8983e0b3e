/** Paths shared by the kit's integration tests. */
import { fileURLToPath } from 'node:url';

/** The compiled hello service fixture. */
export const HELLO_ENTRY = fileURLToPath(new URL('./fixtures/hello-service.js', import.meta.url));
