/**
 * General Mandarin word lists (the language's function words and social formulas, the same for every business):
 * nothing here names a product, a service or a question of any particular company.
 */

/** Function words: pronouns, particles, auxiliaries, conjunctions, fillers. They never carry a customer's topic. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    '的 地 得 了 着 过 吗 呢 啊 吧 呀 哦 噢 喔 嘛 么 啦 咯 哟 呗 哇 哈 嘿 诶 欸 哎 唉 嗯 恩 额 呃 嗷 耶 ' +
    '我 你 您 他 她 它 我们 你们 他们 她们 咱 咱们 俺 人家 自己 大家 ' +
    '这 那 这个 那个 这些 那些 这样 那样 这么 那么 这边 那边 这里 那里 这儿 那儿 这种 那种 此 其 ' +
    '是 就 也 都 还 又 再 才 和 跟 与 及 或 或者 而 而且 但 但是 不过 所以 因为 如果 的话 然后 那就 ' +
    '在 把 被 给 让 对 向 从 到 为 为了 于 之 个 一下 一个 一些 些 点 一点 有点 有些 ' +
    '请问 请 麻烦 想 想要 要 能 能不能 可以 可不可以 可不可 会 会不会 是不是 有没有 有 没 没有 不 ' +
    '呐 啰 滴 哒 嘞 捏 撒 咧 嘻 嘻嘻 哼 ' +
    '最近 今天 明天 昨天 后天 今年 明年 去年 以后 之前 以前 平时 经常 有时候 这几天 那天 ' +
    '就是 还是 也是 真的 其实 反正 一直 已经 现在 刚刚 刚才 马上 还有 另外 一般 可能 应该 好像 感觉 觉得 ' +
    '我想 问下 想问问 请教 你们的 发我 发给我 给我 发一下 发个 告诉我 帮我 问 问问 问一下 想问 想问下 咨询 咨询一下 了解 了解一下 看 看看 看一下 说 讲 一下子 下 上 里 中 问题 东西 事 事情'
  ).split(/\s+/),
);

/**
 * Social formulas: greetings, thanks, goodbyes, acknowledgements, laughter, apologies. A message made only of these
 * (and stop words) asks nothing, so it gets no suggestion.
 */
export const PHATIC_WORDS: ReadonlySet<string> = new Set(
  (
    '你好 您好 你们好 大家好 hi hello hey 哈喽 哈啰 嗨 在吗 在么 在不在 在嘛 在 早 早啊 早安 早上好 上午好 中午好 ' +
    '下午好 晚上好 晚安 拜拜 再见 回见 回头见 下次见 88 ' +
    '谢谢 谢了 谢啦 多谢 感谢 感谢您 谢谢您 谢谢你 谢谢啦 太感谢 非常感谢 3q thx thanks thank you 辛苦 辛苦了 ' +
    '辛苦你了 辛苦啦 麻烦了 麻烦你了 麻烦您了 打扰 打扰了 不好意思 抱歉 对不起 没关系 不客气 客气 ' +
    '好 好的 好滴 好哒 好嘞 好吧 好呀 好啊 好哦 行 行吧 行的 成 可以 可以的 ok okay 嗯 嗯嗯 哦 哦哦 噢噢 ' +
    '收到 收到了 知道 知道了 晓得 晓得了 明白 明白了 懂 懂了 了解了 清楚了 没问题 没事 没事了 对 对的 是的 ' +
    '嗯呢 好嘞 妥 妥了 get 哈哈 哈哈哈 呵呵 嘿嘿 嘻嘻 哈 笑死 厉害 棒 赞 真棒 太棒了 不错 挺好 很好 ' +
    '牛 666 好滴 ' +
    '等 等等 等下 等一下 稍等 一会儿 一会 回头 晚点 再说 先这样 就这样 没了 没有了 不用 不用了 ' +
    '你 我 啊 哦 呢 嗯'
  ).split(/\s+/),
);

/**
 * Forms of address a customer adds to a greeting or a thanks (谢谢老师, 好的亲, 辛苦王经理): a message whose only
 * topic words are these asks nothing. They stay topic words next to others (老师是什么学历).
 */
export const ADDRESS_WORDS: ReadonlySet<string> = new Set(
  (
    '亲 亲亲 亲爱的 老师 医生 大夫 护士 老板 老板娘 经理 总 总监 主管 师傅 客服 顾问 小姐姐 小哥哥 小姐 小哥 ' +
    '美女 帅哥 姐 姐姐 哥 哥哥 妹 妹妹 宝 宝宝 宝子 同学 先生 女士 阿姨 叔叔 老铁 兄弟 朋友 店长 掌柜 小编'
  ).split(/\s+/),
);

/**
 * Cues that a message asks, wants or reports something (general Mandarin grammar, no business's words): question
 * particles and words, the A-not-A question (贵不贵, 能不能), wishes and requests (想, 要, 帮), and the negative
 * potential complements and breakdown words of a complaint (连不上, 用不了, 不会装, 没反应, 坏了, 错了). A message
 * without any is a statement; it needs stronger evidence before anything is proposed (see the engine's abstention).
 */
export const ASKING_CUE = new RegExp(
  [
    '[?？吗嘛呢么]',
    '怎|咋|啥|什么|多少|几|哪|谁|如何|为何|为啥|是否|能否|可否|有无',
    '多久|多长|多大|多远|多重|多高|多宽',
    '(\\p{Script=Han})不\\1',
    '(\\p{Script=Han})没\\2',
    '[不没]有?$',
    '想|要|帮|求|请|需要|打算|推荐|发我|给我|发个|发一?下|多钱',
    '[^\\s]不[了上到动开出进来去起住]',
    '不会|不能|不行|不够|没法|没办法|没反应|没用|坏|错|失败|故障|问题',
  ].join('|'),
  'u',
);
