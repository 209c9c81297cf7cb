import { DataSource } from 'typeorm';
import { databaseConfig } from '../config/configuration';
import { dataSourceOptions } from './data-source-options';

/** For the TypeORM CLI (npm run migration:*): same options as the service, read from the same env. */
export default new DataSource(dataSourceOptions(databaseConfig()));
