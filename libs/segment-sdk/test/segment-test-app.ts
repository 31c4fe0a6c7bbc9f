import type { Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { SegmentModule, type SegmentModuleOptions } from '../src';
import { testKafkaSettings } from './kafka-observer';

/** Boots a Nest app holding the SDK and the given handler providers, as a segment team would, and starts it. */
export async function startSegmentApp(
  namespace: string,
  handlers: Type[],
  options: Partial<Omit<SegmentModuleOptions, 'kafka'>> = {},
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [SegmentModule.forRoot({ segment: 'it', kafka: testKafkaSettings(namespace), ...options })],
    providers: handlers,
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return moduleRef;
}
