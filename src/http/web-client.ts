import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/**
 * Serves the built web client (dist/client) from the API's own origin, so cookies and the origin
 * check need nothing special. Hashed assets are cached for good; every other non-API GET that asks
 * for HTML gets index.html, so client-side URLs survive a reload.
 */
export function webClient(clientDir: string): Router | undefined {
  const index = path.join(clientDir, 'index.html');
  if (!fs.existsSync(index)) return undefined;
  const router = Router();
  router.use('/assets', express.static(path.join(clientDir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  router.use(express.static(clientDir, { index: false, maxAge: 0 }));
  router.get(/^\/(?!api\/|api$).*/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });
  return router;
}
