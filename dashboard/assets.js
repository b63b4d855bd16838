// The dashboard for the server that serves it: where its built files are. The page itself
// (src/) is bundled by Vite into dist/ at `npm run build`; nothing here runs in a browser.
import { fileURLToPath } from 'node:url'

/** The folder holding the built dashboard (`index.html` and `assets/`). */
export const dashboardAssetsDir = fileURLToPath(new URL('./dist/', import.meta.url))
