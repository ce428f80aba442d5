import { Body, Controller, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { createZodDto } from '../http/zod-dto';
import { z } from 'zod';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import type { Page, Principal } from '@app/core';
import {
  UsersService,
  createUserSchema,
  listUsersSchema,
  updateUserSchema,
  userPageSchema,
  userSchema,
  type UserDto,
} from '@app/users';
import { IfMatch, withIfMatch } from '../http/if-match.decorator';
import { ApiProblems } from '../http/problem.schema';
import { CreateRoute, GetRoute, ListRoute, PatchRoute } from '../http/routes';
import { asQuery } from '../http/query';

/** REST shapes of users, derived from the one schema in @app/users. */
export class UserResponse extends createZodDto(userSchema) {}
export class UserPage extends createZodDto(userPageSchema) {}
export class CreateUserDto extends createZodDto(createUserSchema) {}
export class UpdateUserDto extends createZodDto(updateUserSchema) {}
/** `?q=` is the REST name of `query`; `active` arrives as text. */
export class ListUsersQuery extends createZodDto(
  asQuery(
    listUsersSchema.omit({ query: true }).extend({
      q: listUsersSchema.shape.query,
      active: z.preprocess(
        (v) => (v === 'true' ? true : v === 'false' ? false : v),
        listUsersSchema.shape.active,
      ),
    }),
  ),
) {}

@ApiTags('users')
@ApiBearerAuth()
@ApiProblems()
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @ListRoute('Users, by email; filter by q (email or name), role, active', UserPage)
  @RequireScopes('users:read')
  list(@Query() q: ListUsersQuery): Promise<Page<UserDto>> {
    return this.users.list({ query: q.q, role: q.role, active: q.active, limit: q.limit, cursor: q.cursor });
  }

  @CreateRoute('Create a user (nobody makes a user more powerful than themselves)', UserResponse)
  @RequireScopes('users:write')
  create(@Body() body: CreateUserDto, @CurrentPrincipal() actor: Principal): Promise<UserDto> {
    return this.users.create(body, actor);
  }

  @GetRoute('One user', UserResponse)
  @RequireScopes('users:read')
  get(@Param('id') id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @PatchRoute('Rename, change the role, deactivate or set the password of a user', UserResponse)
  @RequireScopes('users:write')
  update(
    @Param('id') id: string,
    @Body() body: UpdateUserDto,
    @IfMatch() ifMatch: number | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<UserDto> {
    return this.users.update(id, withIfMatch(body, ifMatch), actor);
  }
}
