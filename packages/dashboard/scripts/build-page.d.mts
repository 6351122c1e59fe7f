/** Sizes of the built page, in bytes; `changed`: the generated module was rewritten. */
export interface PageBuild {
  readonly changed: boolean;
  readonly js: number;
  readonly css: number;
  readonly jsGzip: number;
  readonly cssGzip: number;
  readonly totalGzip: number;
}
/** Where the generated module is written. */
export declare const GENERATED: string;
/** Builds src/page/bundle.generated.js (the standalone page on Preact) when it changed. */
export declare function buildPage(): Promise<PageBuild>;
