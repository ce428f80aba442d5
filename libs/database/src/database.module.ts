import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DatabaseService } from './database.service';

@Global()
@Module({
  providers: [
    {
      provide: DatabaseService,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => DatabaseService.connect(config),
    },
  ],
  exports: [DatabaseService],
})
export class DatabaseModule {}
