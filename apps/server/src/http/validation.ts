import {
  ValidationPipe,
  type ArgumentMetadata,
  type PipeTransform,
  type ValidationError,
} from '@nestjs/common';
import type { ZodDto } from 'nestjs-zod';
import type { ZodType } from 'zod';
import { InvalidError, parseInput, type FieldError } from '@app/core';

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

const isZodDto = (metatype: unknown): metatype is ZodDto =>
  typeof metatype === 'function' && (metatype as { isZodDto?: boolean }).isZodDto === true;

/**
 * The REST door's validation, errors as a domain InvalidError (problem+json with `errors`).
 * DTOs derived from a domain schema (`createZodDto`) are parsed with that schema (strict objects:
 * unknown fields are refused); the remaining class-validator DTOs keep whitelist + forbid unknown
 * fields + transform.
 */
export class RequestValidationPipe implements PipeTransform {
  private readonly classValidator = new ValidationPipe({
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

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (isZodDto(metadata.metatype))
      return parseInput(metadata.metatype.schema as ZodType, value ?? {}, 'the request');
    return this.classValidator.transform(value, metadata);
  }
}

export const createValidationPipe = (): PipeTransform => new RequestValidationPipe();
