import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * A conditional DynamoDB write whose failed condition is an answer, not an error: `onFailed` turns it
 * into a value (or a TraceLensError it throws). Every other error propagates unchanged.
 */
export async function ifConditionFails<T, U = T>(
  write: Promise<T>,
  onFailed: (err: ConditionalCheckFailedException) => U | Promise<U>,
): Promise<T | U> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return onFailed(err);
    throw err;
  }
}

/** The conditional write, with a failed condition ignored (the item moved on; nothing left to do). */
export async function unlessConditionFails(write: Promise<unknown>): Promise<void> {
  await ifConditionFails(write, () => undefined);
}

/** A conditional Put (`input` carries the ConditionExpression): true when it wrote, false when the condition failed. */
export function putIf(db: DynamoDBDocumentClient, input: PutCommandInput): Promise<boolean> {
  return ifConditionFails(
    db.send(new PutCommand(input)).then(() => true),
    () => false,
  );
}
