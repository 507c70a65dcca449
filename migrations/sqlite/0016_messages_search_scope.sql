-- Hand-written (drizzle knows neither virtual tables nor triggers): the full-text index also holds each message's
-- scope (server/modules/messages/search.ts): `c` and the conversation id, then `u`, `e`, `r`, `t` and the hex of the
-- rep, customer, room and type (not `text`, most messages' type: filtering by it narrows nothing). A search in one
-- conversation, or for one rep or customer, intersects the words with the scope in the index instead of reading every
-- message that has the words. The index is rebuilt from `messages`.
DROP TRIGGER IF EXISTS `messages_fts_insert`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `messages_fts_delete`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `messages_fts_update`;--> statement-breakpoint
DROP TABLE IF EXISTS `messages_fts`;--> statement-breakpoint
CREATE VIRTUAL TABLE `messages_fts` USING fts5(terms, scope, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');--> statement-breakpoint
INSERT INTO messages_fts(rowid, terms, scope)
  SELECT id, search_terms, concat_ws(' ', 'c' || conversation_id, 'u' || nullif(hex(user_id), ''),
    'e' || nullif(hex(external_user_id), ''), 'r' || nullif(hex(room_id), ''), CASE WHEN type <> 'text' THEN 't' || hex(type) END)
  FROM messages WHERE search_terms <> '';--> statement-breakpoint
CREATE TRIGGER `messages_fts_insert` AFTER INSERT ON `messages` WHEN new.search_terms <> '' BEGIN
  INSERT INTO messages_fts(rowid, terms, scope) VALUES (new.id, new.search_terms,
    concat_ws(' ', 'c' || new.conversation_id, 'u' || nullif(hex(new.user_id), ''),
      'e' || nullif(hex(new.external_user_id), ''), 'r' || nullif(hex(new.room_id), ''),
      CASE WHEN new.type <> 'text' THEN 't' || hex(new.type) END));
END;--> statement-breakpoint
CREATE TRIGGER `messages_fts_delete` AFTER DELETE ON `messages` BEGIN
  DELETE FROM messages_fts WHERE rowid = old.id;
END;--> statement-breakpoint
CREATE TRIGGER `messages_fts_update` AFTER UPDATE OF `search_terms`, `conversation_id`, `user_id`, `external_user_id`, `room_id`, `type` ON `messages` BEGIN
  DELETE FROM messages_fts WHERE rowid = old.id;
  INSERT INTO messages_fts(rowid, terms, scope)
    SELECT new.id, new.search_terms,
      concat_ws(' ', 'c' || new.conversation_id, 'u' || nullif(hex(new.user_id), ''),
        'e' || nullif(hex(new.external_user_id), ''), 'r' || nullif(hex(new.room_id), ''),
        CASE WHEN new.type <> 'text' THEN 't' || hex(new.type) END)
    WHERE new.search_terms <> '';
END;
