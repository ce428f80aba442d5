import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'contextDesk:isPublic';

/** Marks a route as reachable without credentials (health, login, metadata documents). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
