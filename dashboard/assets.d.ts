/**
 * The folder holding the built dashboard (`index.html` and `assets/`), for a server to serve.
 *
 * @example
 * import { dashboardAssetsDir } from '@retrace/dashboard'
 * readFileSync(join(dashboardAssetsDir, 'index.html'), 'utf8')
 */
export declare const dashboardAssetsDir: string
