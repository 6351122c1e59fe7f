// Types of bundle.generated.js, which scripts/build-page.mjs writes (it is not committed).

/** A file of the page, served under `<basePath>/assets/<name>`. */
export interface PageAsset {
  /** `page-<content hash>.js`: a new build is a new name, so it can be cached for good. */
  readonly name: string;
  readonly text: string;
  /** Subresource Integrity of the text (`sha384-…`). */
  readonly integrity: string;
}

export declare const PAGE_SCRIPT: PageAsset;
export declare const PAGE_STYLE: PageAsset;
/** Bytes of the script and the styles, as served and gzipped. */
export declare const PAGE_SIZES: { readonly js: number; readonly css: number; readonly jsGzip: number; readonly cssGzip: number };
