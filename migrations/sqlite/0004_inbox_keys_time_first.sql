-- Inbox keys lead with the event's CreateTime (see idempotencyKey in server/wecom/events.ts), so the unique index
-- grows at its right edge. Stored keys get the same prefix, so a WeCom retry that arrives after the upgrade still
-- finds its event. Every stored payload carries createTime; a row without one keeps its key.
UPDATE `events`
SET `idempotency_key` = json_extract(`payload`, '$.createTime') || '|' || `idempotency_key`
WHERE json_type(`payload`, '$.createTime') = 'integer';
