import { Router, type Request, type RequestHandler, type Response } from 'express';
import { fileUpload } from './file-upload.js';
import { jsonBody } from './json-body.js';
import type { z } from 'zod';
import { currentUser, requireUser, type RequestUser } from './request-user.js';
import { parseInput, type InputSchemas, type Parsed } from './validate.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a route is, as the router, the OpenAPI document and the Postman collection all read it. */
export interface RouteSpec {
  method: Method;
  /** The full path, Express style (`/api/chats/:id`). */
  path: string;
  summary: string;
  /** The group it is listed under in the docs. */
  tag: string;
  /** Needs a logged-in user (401 otherwise, before anything else is read). */
  auth: boolean;
  /** Served before the session is read (health, docs, metrics), so it answers with the database down. */
  sessionless?: boolean;
  /** The schemas that validate its input (and document it). */
  input: InputSchemas;
  /** Status → schema of the body answered with it (undefined: no JSON body). */
  responses: Record<number, z.ZodType | undefined>;
  /** Answers as Server-Sent Events when asked (Accept: text/event-stream). */
  streams?: boolean;
  /** A JSON body limit other than the app's default (imports carry whole histories). */
  bodyLimit?: string;
  /** Who may call it beyond being logged in (e.g. admins only): checked before the input is read. */
  guard?: string;
  /** Takes one file as multipart/form-data, in the part named `field` (`req.file`), of at most `maxBytes`. */
  upload?: { field: string; maxBytes: number };
}

export interface RouteContext<D, S extends InputSchemas> {
  input: Parsed<S>;
  /** The services the route's feature was given. */
  deps: D;
  req: Request;
  res: Response;
  /** The logged-in user (for `auth: true` routes). */
  readonly user: RequestUser;
}

export interface Route<D> extends RouteSpec {
  handle(ctx: RouteContext<D, InputSchemas>): Promise<void> | void;
  /** Throws (e.g. 403) when the logged-in user may not call the route; `guard` names it in the docs. */
  allow?(deps: D, user: RequestUser): Promise<void>;
}

type RouteDefinition<D, S extends InputSchemas> = Omit<RouteSpec, 'input'> & {
  input?: S;
  handle(ctx: RouteContext<D, S>): Promise<void> | void;
  allow?(deps: D, user: RequestUser): Promise<void>;
};

/**
 * `const route = routeFor<Deps>()` gives a feature its route helper: the handler's input is typed by the
 * schemas listed next to it, and its deps by what the feature needs.
 */
export function routeFor<D>() {
  return <S extends InputSchemas = InputSchemas>(definition: RouteDefinition<D, S>): Route<D> =>
    ({ ...definition, input: definition.input ?? {} }) as Route<D>;
}

/** A router serving `routes` with `deps`: auth guard, body limit, validation, then the handler. */
export function routerFor<D>(routes: readonly Route<D>[], deps: D): Router {
  const router = Router();
  for (const route of routes) {
    const steps: RequestHandler[] = [];
    if (route.auth) steps.push(requireUser);
    if (route.bodyLimit) steps.push(jsonBody(route.bodyLimit));
    if (route.upload) steps.push(fileUpload(route.upload.field, route.upload.maxBytes));
    steps.push(async (req, res) => {
      if (route.allow) await route.allow(deps, currentUser(req));
      const input = parseInput(route.input, req);
      await route.handle({
        input,
        deps,
        req,
        res,
        get user() {
          return currentUser(req);
        },
      });
    });
    router[route.method](route.path, ...steps);
  }
  return router;
}
