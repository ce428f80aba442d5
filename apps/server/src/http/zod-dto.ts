import { createZodDto as nestjsZodDto, type ZodDto } from 'nestjs-zod';

type Metadata = Record<string, Record<string, unknown>>;
type UnknownSchema = Parameters<typeof nestjsZodDto>[0];

/**
 * `createZodDto` from nestjs-zod, with one repair for the OpenAPI document: zod writes a bare
 * nullable like `z.string().nullable()` as `type: ['string', 'null']`, and @nestjs/swagger reads
 * an array-valued `type` on a property as "an array of" (a nullable string became `string[]`).
 * Each such property is handed over as the equivalent `anyOf` instead, which nestjs-zod and
 * `nullableTo30` (openapi.ts) turn into `nullable: true`. Every REST DTO goes through here.
 */
export function createZodDto<S extends UnknownSchema>(schema: S): ZodDto<S, false> {
  const Dto = nestjsZodDto(schema);
  const factory = (Dto as unknown as { _OPENAPI_METADATA_FACTORY(): Metadata })._OPENAPI_METADATA_FACTORY;
  Object.defineProperty(Dto, '_OPENAPI_METADATA_FACTORY', {
    value(this: unknown): Metadata {
      const properties = factory.call(this);
      return Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [name, typeArrayAsAnyOf(property)]),
      );
    },
  });
  return Dto;
}

function typeArrayAsAnyOf(property: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(property.type)) return property;
  // nestjs-zod already marked it "empty type" (removed again when the document is cleaned up).
  return { ...property, type: '', anyOf: property.type.map((type: unknown) => ({ type })) };
}
