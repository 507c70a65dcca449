/**
 * Typed application errors. Services throw these; the error-handler plugin maps them to
 * `{ error, message, requestId }` with the status below and hides the details of anything else.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  /** `field` names the input that is wrong, so a form can point at it. */
  constructor(message: string, field?: string) {
    super(400, 'bad_request', message, field ? { field } : undefined);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = '未登录或登录已过期') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = '无权访问') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = '不存在') {
    super(404, 'not_found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

/** WeCom refused a call made on behalf of a user request (e.g. creating a channel code). */
export class UpstreamError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(502, 'wecom_error', message, details);
  }
}
