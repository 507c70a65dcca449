import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '../api/client';
import type { CustomerCard, Stage, TagLibraryGroup } from '../api/types';
import { latestLoad } from '../lib/latest-load';

/** The customer card: profile, the rep's remark/description/tags, stage; and the lists its editors pick from. */
export const useCustomerStore = defineStore('customer', () => {
  const externalUserId = ref<string | null>(null);
  const card = ref<CustomerCard | null>(null);
  const { status, error, run } = latestLoad();
  const saving = ref(false);
  const stages = ref<Stage[] | null>(null);
  const tagLibrary = ref<TagLibraryGroup[] | null>(null);

  const tagIds = computed(() => card.value?.tags.flatMap((g) => g.tags.map((t) => t.tagId)) ?? []);

  async function load(id: string) {
    externalUserId.value = id;
    card.value = null;
    await run(
      () => api.customer(id),
      (loaded) => (card.value = loaded),
    );
  }

  /** Runs one change of the card; the server answers with the new card. Errors go to the caller (a toast). */
  async function change(run: (id: string) => Promise<CustomerCard>) {
    const id = externalUserId.value;
    if (!id) throw new Error('no customer loaded');
    saving.value = true;
    try {
      const updated = await run(id);
      if (id === externalUserId.value) card.value = updated;
    } finally {
      saving.value = false;
    }
  }

  const saveRemark = (remark: string) => change((id) => api.patchCustomer(id, { remark }));
  const saveDescription = (description: string) => change((id) => api.patchCustomer(id, { description }));
  const saveStage = (stageId: number) => change((id) => api.changeStage(id, stageId));

  /** The editor hands back the whole selection; WeCom's mark_tag wants what to add and what to remove. */
  async function saveTags(selected: readonly string[]) {
    const current = new Set(tagIds.value);
    const wanted = new Set(selected);
    const add = [...wanted].filter((t) => !current.has(t));
    const remove = [...current].filter((t) => !wanted.has(t));
    if (add.length === 0 && remove.length === 0) return false;
    await change((id) => api.changeTags(id, { add, remove }));
    return true;
  }

  async function loadStages() {
    stages.value ??= [...(await api.stages())].sort((a, b) => a.order - b.order);
    return stages.value;
  }

  async function loadTagLibrary() {
    tagLibrary.value ??= await api.tagLibrary();
    return tagLibrary.value;
  }

  return {
    externalUserId,
    card,
    status,
    error,
    saving,
    stages,
    tagLibrary,
    tagIds,
    load,
    saveRemark,
    saveDescription,
    saveStage,
    saveTags,
    loadStages,
    loadTagLibrary,
  };
});
