import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { InvalidError, type FieldError } from '@app/core';

/** Flattens class-validator's tree into `{field: "a.b[0]", message}` entries. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent
      ? /^\d+$/.test(e.property)
        ? `${parent}[${e.property}]`
        : `${parent}.${e.property}`
      : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith(`${e.property} `) ? message.slice(e.property.length + 1) : message,
    }));
    return [...own, ...fieldErrors(e.children ?? [], field)];
  });
}

/** whitelist + forbid unknown fields + transform, with errors as a domain InvalidError. */
export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const list = fieldErrors(errors);
      return new InvalidError(
        `the request is not valid: ${list.map((e) => `${e.field} ${e.message}`).join('; ')}`,
        list,
      );
    },
  });
