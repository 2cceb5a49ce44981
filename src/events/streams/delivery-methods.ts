// The SET delivery methods of SSF streams, named by the RFCs that define them (SSF 1.0 §7.1, §11.2.1).

/** RFC 8935: Usher POSTs each SET to the receiver's endpoint_url. */
export const PUSH = 'urn:ietf:rfc:8935';
/** RFC 8936: the receiver polls Usher's endpoint for its SETs and acknowledges them. */
export const POLL = 'urn:ietf:rfc:8936';

export type DeliveryMethod = typeof PUSH | typeof POLL;

export const DELIVERY_METHODS: readonly DeliveryMethod[] = [PUSH, POLL];
