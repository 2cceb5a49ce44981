// The typed request-scoped values that middleware sets with c.set() and handlers read with c.var.
import type { Actor } from '../resources/context.js';

export interface AppEnv {
  Variables: {
    requestId: string;
    tenantId: string | undefined;
    actor: Actor;
  };
}
