/**
 * `@keyward/core/adapter`: what a framework adapter needs — route options, reading the
 * `Authorization` header (Node and Web), the route guard that verifies a request and hands its
 * outcome to the framework, writing a rendered refusal or the success headers, and the bridge that
 * mounts a web-standard handler (the dashboard) on a Node framework.
 */
export { routeOptions } from './route-options.js';
export type { RouteOptions, RouteOptionsResolver } from './route-options.js';
export { requireEngine, routeGuard } from './route-guard.js';
export type { RouteGuard, RouteHandlers } from './route-guard.js';
export { failureLogFields } from './log-fields.js';
export type { FailureLogFields } from './log-fields.js';
export { setHeaders, writeRendered } from './node-response.js';
export type { NodeResponseLike } from './node-response.js';
export { renderedResponse, verifyRequest, withResponseHeaders } from '../web/response.js';
export type { AuthenticateResult } from '../web/response.js';
export { isUnderBasePath, toFetchRequest, writeFetchResponse } from '../web/node-fetch.js';
export type { FetchHandler, FetchRequestInit, NodeIncomingLike } from '../web/node-fetch.js';
export { isHeaderRefusal, nodeAuthorization, readBearerToken } from '../header/authorization.js';
export type { HeaderBag, HeaderFailure, HeaderOptions, HeaderRefusal, NodeRequestLike } from '../header/authorization.js';
