/** Where a message came from: enough to find it again in Kafka, and the fields every log line about it carries. */
export interface MessageRef {
  topic: string;
  partition: number;
  offset: string;
  request_id?: string;
}
