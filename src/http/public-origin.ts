import type { Request } from 'express';

/** Where users reach the app: PUBLIC_URL when set, else this request's own origin (as seen through TRUST_PROXY). */
export const publicOrigin = (req: Request, publicUrl?: string): string =>
  (publicUrl ?? `${req.protocol}://${req.get('host')}`).replace(/\/$/, '');
