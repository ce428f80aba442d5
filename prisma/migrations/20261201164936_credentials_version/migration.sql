-- AlterTable
ALTER TABLE "user" ADD COLUMN     "credentials_version" INTEGER NOT NULL DEFAULT 0;
