-- Live channel names become unique per corp. Older releases allowed duplicates: every live channel whose name an
-- older live channel of the same corp already has is renamed "<name> #<id>" first (the oldest keeps its name).
UPDATE `channels` SET `name` = `name` || ' #' || `id`
WHERE `deleted_at` IS NULL
  AND EXISTS (
    SELECT 1 FROM `channels` AS `older`
    WHERE `older`.`corp_id` = `channels`.`corp_id`
      AND `older`.`name` = `channels`.`name`
      AND `older`.`deleted_at` IS NULL
      AND `older`.`id` < `channels`.`id`
  );
--> statement-breakpoint
CREATE UNIQUE INDEX `channels_corp_name` ON `channels` (`corp_id`,`name`) WHERE "channels"."deleted_at" IS NULL;
