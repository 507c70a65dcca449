import { Type, type Static } from 'typebox';

/** The body of every error answer (see server/plugins/error-handler.ts). */
export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  requestId: Type.String(),
  field: Type.Optional(Type.String()),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const HealthBody = Type.Object({ status: Type.Literal('ok') });
export type HealthBody = Static<typeof HealthBody>;
