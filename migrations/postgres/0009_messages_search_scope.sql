-- Hand-written (drizzle cannot declare it): the full-text index also holds each message's scope as verbatim lexemes
-- (server/modules/messages/search.ts): c:<conversation id>, u:<rep>, e:<customer>, r:<room>, t:<type> (not for
-- `text`, most messages' type: it narrows nothing). A word lexeme of 'simple' over search_terms is letters and digits
-- only, so the two never meet. A search in one conversation, or for one rep or customer, intersects the words with
-- the scope in the index instead of reading every message that has the words. The expression must stay the one
-- search.ts queries with.
DROP INDEX IF EXISTS "messages_search";--> statement-breakpoint
CREATE INDEX "messages_search" ON "messages" USING gin ((to_tsvector('simple', "search_terms") || array_to_tsvector(array_remove(ARRAY['c:' || "conversation_id"::text, 'u:' || "user_id", 'e:' || "external_user_id", 'r:' || "room_id", CASE WHEN "type" <> 'text' THEN 't:' || "type" END], NULL))));
