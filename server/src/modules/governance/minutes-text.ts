import type { MeetingLanguage, QuorumRule } from '../../contract';
import type { MotionState } from './ballot-state';
import type { BallotRow } from './rows';

/**
 * The words of the minutes in each language a meeting can be held in. Pure. Counts go through
 * Intl.PluralRules so that Arabic gets its dual and few/many forms and Chinese its single form.
 */

type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

export interface MinutesText {
  /** BCP 47 tag for Intl: Gregorian calendar and Latin digits, the same in every copy of the record. */
  locale: string;
  rtl: boolean;
  minutes: string;
  unknownPerson: string;
  kind: Record<'board' | 'general-assembly', string>;
  voterBasis: Record<'institutions' | 'members', string>;
  quorumRule: (rule: QuorumRule) => string;
  motionStatus: Record<MotionState, string>;
  ballotStatus: Record<BallotRow['status'], string>;
  rule: Record<BallotRow['rule'], string>;
  electionRule: (seats: number, maxChoices: number) => string;
  choice: Record<'yes' | 'no' | 'abstain' | 'noCandidate' | 'didNotVote', string>;
  outcome: Record<'carried' | 'lost' | 'tie', string>;
  motionResult: (outcome: string, yes: number, no: number, abstain: number, needed: number, base: number) => string;
  tiedForLast: (names: string, elected: string | null) => string;
  elected: (names: string) => string;
  nobodyElected: string;
  timeLimit: string;
  overrideRuling: (ref: string, title: string, counted: number | null, required: number | null) => string;
  referredRuling: (ref: string, title: string) => string;
  withdrewRuling: (ref: string, title: string) => string;
  /** The PDF's own words. */
  pdf: {
    chair: string;
    secretary: string;
    noneAppointed: string;
    voting: string;
    quorumRule: string;
    room: string;
    noRoom: string;
    sitting: string;
    sections: Record<'attendance' | 'quorum' | 'agenda' | 'motions' | 'ballots' | 'rulings', string>;
    noAttendance: string;
    attended: (n: number) => string;
    attendanceColumns: [string, string, string, string, string];
    stillPresent: string;
    source: Record<'room' | 'check-in', string>;
    quorumNote: (rule: string) => string;
    quorumNeverChecked: string;
    quorumColumns: [string, string, string, string, string, string];
    countedOf: (counted: number, required: number, entitled: number) => string;
    met: string;
    notMetOverridden: string;
    notMet: string;
    overrideNote: (ref: string, name: string, reason: string) => string;
    noAgenda: string;
    noMotion: string;
    motion: string;
    amendmentTo: (ref: string) => string;
    agendaItem: (ref: string) => string;
    movedBy: (mover: string, seconder: string | null, outcome: string) => string;
    noBallot: string;
    onMotion: (ref: string) => string;
    election: string;
    rollCall: string;
    secret: string;
    abstentions: (count: boolean) => string;
    opened: (at: string) => string;
    neverOpened: string;
    closed: (at: string, by: string | null) => string;
    announced: (at: string) => string;
    status: (label: string) => string;
    roll: (seats: number, weight: number | null, present: number, cast: number) => string;
    result: (announced: boolean) => string;
    candidateColumns: [string, string];
    electedMark: string;
    tiedMark: string;
    abstentionsRow: string;
    howEachSeatVoted: string;
    voteColumns: [string, string, string];
    weight: (n: number) => string;
    secretNote: string;
    none: string;
    rulingColumns: [string, string, string, string];
    certification: (o: { at: string; tz: string; by: string; seq: number; hash: string | null; keyId: string | null }) => string;
    page: (n: number, of: number) => string;
  };
  /** The meeting's recordings, each file with the SHA-256 its archiving wrote into the audit log. */
  recordings: {
    section: string;
    untitled: string;
    status: Record<'recording' | 'processing' | 'ready' | 'failed' | 'deleted', string>;
    span: (from: string, to: string | null) => string;
    deleted: (at: string, reason: string) => string;
    files: (n: number) => string;
    /** HLS media segments are counted, not listed: a long recording has thousands (the CSV lists them). */
    segments: (n: number) => string;
  };
}

/** A count in words. Every form the language has must be given: a missing one fails at start-up, not in a document. */
export function plural(locale: string, forms: PluralForms): (n: number) => string {
  const rules = new Intl.PluralRules(locale);
  const missing = rules.resolvedOptions().pluralCategories.filter((c) => forms[c] === undefined);
  if (missing.length) throw new Error(`plural forms missing for ${locale}: ${missing.join(', ')} (in ${JSON.stringify(forms)})`);
  return (n) => (forms[rules.select(n)] ?? forms.other).replace('{n}', String(n));
}

const en: MinutesText = (() => {
  const seats = plural('en', { one: '{n} seat', other: '{n} seats' });
  const choices = plural('en', { one: '{n} choice', other: '{n} choices' });
  const ballots = plural('en', { one: '{n} ballot', other: '{n} ballots' });
  const people = plural('en', { one: '{n} person attended', other: '{n} people attended' });
  return {
    locale: 'en-GB-u-ca-gregory-nu-latn',
    rtl: false,
    minutes: 'Minutes',
    unknownPerson: 'Unknown person',
    kind: { board: 'Board meeting', 'general-assembly': 'General assembly' },
    voterBasis: { institutions: 'One seat per member institution, cast by its delegates', members: 'One vote per member' },
    quorumRule: (r) =>
      r.kind === 'majority-of-entitled' ? 'A majority of the seats on the roll' : r.kind === 'at-least' ? `At least ${seats(r.seats)}` : `${r.numerator}/${r.denominator} of the seats on the roll`,
    motionStatus: {
      draft: 'Draft (not submitted)',
      submitted: 'Submitted, not seconded',
      seconded: 'Seconded, not debated',
      debate: 'Under debate',
      voting: 'Being voted on',
      carried: 'Carried',
      lost: 'Lost',
      withdrawn: 'Withdrawn',
      referred: 'Referred',
    },
    ballotStatus: { draft: 'Not opened', open: 'Voting open', counting: 'Voting ended, count awaiting the tellers', closed: 'Closed, result not yet announced', published: 'Result announced' },
    rule: {
      simple: 'Simple majority of votes cast',
      'absolute-present': 'More than half of the votes present',
      'two-thirds-cast': 'Two thirds of votes cast',
      'majority-entitled': 'More than half of all votes on the roll',
    },
    electionRule: (s, c) => `Block vote: ${seats(s)}, up to ${choices(c)} per ballot`,
    choice: { yes: 'Yes', no: 'No', abstain: 'Abstain', noCandidate: 'Abstain (no candidate)', didNotVote: 'Did not vote' },
    outcome: { carried: 'Carried', lost: 'Lost', tie: 'Tied, not carried' },
    motionResult: (o, y, n, a, needed, base) => `${o} (yes ${y}, no ${n}, abstain ${a}; ${needed} needed of ${base})`,
    tiedForLast: (names, elected) => `Tied for the last seat: ${names}${elected ? `; elected: ${elected}` : ''}`,
    elected: (names) => `Elected: ${names}`,
    nobodyElected: 'Nobody elected',
    timeLimit: 'the time limit',
    overrideRuling: (ref, title, counted, required) => `Opened ballot ${ref} "${title}" without quorum${counted !== null ? ` (${counted} of ${required} seats present or represented)` : ''}`,
    referredRuling: (ref, title) => `Referred motion ${ref} "${title}"`,
    withdrewRuling: (ref, title) => `Withdrew motion ${ref} "${title}"`,
    pdf: {
      chair: 'Chair',
      secretary: 'Secretary',
      noneAppointed: 'None appointed',
      voting: 'Voting',
      quorumRule: 'Quorum rule',
      room: 'Room',
      noRoom: 'None (in person or by check-in only)',
      sitting: 'Sitting',
      sections: { attendance: 'Attendance', quorum: 'Quorum', agenda: 'Agenda', motions: 'Motions and amendments', ballots: 'Ballots', rulings: 'Rulings and overrides by the chair' },
      noAttendance: 'No attendance was recorded: nobody was in the meeting’s room or checked in.',
      attended: (n) => `${people(n)}, in the meeting’s room or by checking in. “Still present” means no leaving was recorded by the end of the sitting.`,
      attendanceColumns: ['Name', 'First in', 'Last out', 'Minutes', 'Recorded by'],
      stillPresent: 'Still present',
      source: { room: 'room', 'check-in': 'check-in' },
      quorumNote: (rule) => `Rule: ${rule}. Checked when each ballot opened; seats held by proxy count when their holder is present.`,
      quorumNeverChecked: 'No ballot was opened, so quorum was never checked.',
      quorumColumns: ['Time', 'Ballot', 'Present', 'By proxy', 'Counted / required', 'Quorum'],
      countedOf: (c, r, e) => `${c} / ${r} of ${e}`,
      met: 'Met',
      notMetOverridden: 'Not met; the chair overrode',
      notMet: 'Not met',
      overrideNote: (ref, name, reason) => `${ref}: ${name} opened the ballot without quorum, giving as the reason: “${reason}”`,
      noAgenda: 'No agenda was set.',
      noMotion: 'No motion was moved.',
      motion: 'Motion',
      amendmentTo: (ref) => `Amendment to ${ref}`,
      agendaItem: (ref) => `agenda item ${ref}`,
      movedBy: (mover, seconder, outcome) => `Moved by ${mover}; ${seconder ? `seconded by ${seconder}` : 'not seconded'}. Outcome: ${outcome}.`,
      noBallot: 'No ballot was held.',
      onMotion: (ref) => `On motion ${ref}`,
      election: 'Election',
      rollCall: 'roll-call (open) vote',
      secret: 'secret ballot',
      abstentions: (count) => `abstentions ${count ? 'count' : 'do not count'}`,
      opened: (at) => `Opened ${at}`,
      neverOpened: 'Never opened',
      closed: (at, by) => `closed ${at}${by ? ` by ${by}` : ''}`,
      announced: (at) => `result announced ${at}`,
      status: (label) => `Status: ${label}.`,
      roll: (s, w, present, cast) => `Roll: ${seats(s)}${w !== null ? ` (weight ${w}, present ${present})` : ` (${present} present)`}; ${ballots(cast)} cast.`,
      result: (announced) => (announced ? 'Result' : 'Result (not yet announced)'),
      candidateColumns: ['Candidate', 'Votes'],
      electedMark: 'Elected',
      tiedMark: 'Tied',
      abstentionsRow: 'Abstentions',
      howEachSeatVoted: 'How each seat voted:',
      voteColumns: ['Seat', 'Vote', 'Cast by proxy'],
      weight: (n) => `weight ${n}`,
      secretNote: 'Secret ballot: the record says who voted, not how.',
      none: 'None.',
      rulingColumns: ['Time', 'By', 'Ruling', 'Reason given'],
      certification: (o) =>
        `Produced by Quorum on ${o.at} (${o.tz}) at the request of ${o.by}, from the meeting’s records up to entry ${o.seq} of its audit log${o.hash ? ` (hash ${o.hash})` : ''}. ` +
        `The SHA-256 of this file is recorded in that log as the next “minutes.generated” entry.` +
        `${o.keyId ? ` The server signs the head of that log with its record key ${o.keyId}, published at /.well-known/quorum-record-key.` : ''}`,
      page: (n, of) => `Page ${n} of ${of}`,
    },
    recordings: {
      section: 'Recordings',
      untitled: 'Recording',
      status: { recording: 'Being recorded', processing: 'Being processed', ready: 'Available', failed: 'Failed', deleted: 'Deleted' },
      span: (from, to) => (to ? `Recorded from ${from} to ${to}` : `Recorded from ${from}`),
      deleted: (at, reason) => `Deleted ${at}. Reason given: “${reason}”. The files are gone; their hashes below remain in the record.`,
      files: plural('en', {
        one: '{n} file, with the SHA-256 written into the audit log when it was archived:',
        other: '{n} files, each with the SHA-256 written into the audit log when they were archived:',
      }),
      segments: plural('en', {
        one: '{n} HLS segment more: its hash is in the audit log and in the CSV minutes.',
        other: '{n} HLS segments more: their hashes are in the audit log and in the CSV minutes.',
      }),
    },
  };
})();

const zh: MinutesText = {
  locale: 'zh-Hans-CN-u-ca-gregory-nu-latn',
  rtl: false,
  minutes: '会议纪要',
  unknownPerson: '未知人员',
  kind: { board: '理事会会议', 'general-assembly': '全体大会' },
  voterBasis: { institutions: '每个成员机构一个席位，由其代表投票', members: '每位成员一票' },
  quorumRule: (r) => (r.kind === 'majority-of-entitled' ? '名册上席位的过半数' : r.kind === 'at-least' ? `至少 ${r.seats} 个席位` : `名册上席位的 ${r.numerator}/${r.denominator}`),
  motionStatus: {
    draft: '草案（未提交）',
    submitted: '已提交，未获附议',
    seconded: '已获附议，未辩论',
    debate: '辩论中',
    voting: '表决中',
    carried: '通过',
    lost: '未通过',
    withdrawn: '已撤回',
    referred: '已转交',
  },
  ballotStatus: { draft: '未开启', open: '投票进行中', counting: '投票已结束，等待计票员计票', closed: '已结束，结果尚未公布', published: '结果已公布' },
  rule: { simple: '所投票数的简单多数', 'absolute-present': '出席票数的过半数', 'two-thirds-cast': '所投票数的三分之二', 'majority-entitled': '名册全部票数的过半数' },
  electionRule: (s, c) => `全额连记投票：${s} 个席位，每张选票最多选 ${c} 人`,
  choice: { yes: '赞成', no: '反对', abstain: '弃权', noCandidate: '弃权（未选候选人）', didNotVote: '未投票' },
  outcome: { carried: '通过', lost: '未通过', tie: '票数相同，未通过' },
  motionResult: (o, y, n, a, needed, base) => `${o}（赞成 ${y}，反对 ${n}，弃权 ${a}；${base} 票中需 ${needed} 票）`,
  tiedForLast: (names, elected) => `最后席位票数相同：${names}${elected ? `；当选：${elected}` : ''}`,
  elected: (names) => `当选：${names}`,
  nobodyElected: '无人当选',
  timeLimit: '时限',
  overrideRuling: (ref, title, counted, required) => `在未达法定人数时开启投票 ${ref}“${title}”${counted !== null ? `（出席或代理 ${counted} 席，需 ${required} 席）` : ''}`,
  referredRuling: (ref, title) => `转交动议 ${ref}“${title}”`,
  withdrewRuling: (ref, title) => `撤回动议 ${ref}“${title}”`,
  pdf: {
    chair: '主席',
    secretary: '秘书',
    noneAppointed: '未指定',
    voting: '表决方式',
    quorumRule: '法定人数规则',
    room: '会议室',
    noRoom: '无（仅现场或签到）',
    sitting: '会期',
    sections: { attendance: '出席', quorum: '法定人数', agenda: '议程', motions: '动议和修正案', ballots: '投票', rulings: '主席的裁定和否决' },
    noAttendance: '没有出席记录：无人进入会议室或签到。',
    attended: (n) => `共 ${n} 人出席（在会议室或通过签到）。“仍在场”表示会期结束前未记录离开。`,
    attendanceColumns: ['姓名', '首次进入', '最后离开', '分钟', '记录方式'],
    stillPresent: '仍在场',
    source: { room: '会议室', 'check-in': '签到' },
    quorumNote: (rule) => `规则：${rule}。每次开启投票时核查；代理持有的席位在持有人出席时计入。`,
    quorumNeverChecked: '未开启任何投票，因此从未核查法定人数。',
    quorumColumns: ['时间', '投票', '出席', '代理', '计入 / 所需', '法定人数'],
    countedOf: (c, r, e) => `${c} / ${r}（共 ${e}）`,
    met: '已达到',
    notMetOverridden: '未达到；主席予以否决',
    notMet: '未达到',
    overrideNote: (ref, name, reason) => `${ref}：${name} 在未达法定人数时开启了投票，理由：“${reason}”`,
    noAgenda: '未设定议程。',
    noMotion: '未提出动议。',
    motion: '动议',
    amendmentTo: (ref) => `对 ${ref} 的修正案`,
    agendaItem: (ref) => `议程项目 ${ref}`,
    movedBy: (mover, seconder, outcome) => `提出人：${mover}；${seconder ? `附议人：${seconder}` : '无人附议'}。结果：${outcome}。`,
    noBallot: '未举行投票。',
    onMotion: (ref) => `就动议 ${ref}`,
    election: '选举',
    rollCall: '记名（公开）投票',
    secret: '无记名投票',
    abstentions: (count) => (count ? '弃权票计入' : '弃权票不计入'),
    opened: (at) => `${at} 开启`,
    neverOpened: '从未开启',
    closed: (at, by) => `${at} 结束${by ? `（${by}）` : ''}`,
    announced: (at) => `${at} 公布结果`,
    status: (label) => `状态：${label}。`,
    roll: (s, w, present, cast) => `名册：${s} 个席位${w !== null ? `（权重 ${w}，出席 ${present}）` : `（出席 ${present}）`}；收回 ${cast} 张选票。`,
    result: (announced) => (announced ? '结果' : '结果（尚未公布）'),
    candidateColumns: ['候选人', '票数'],
    electedMark: '当选',
    tiedMark: '票数相同',
    abstentionsRow: '弃权',
    howEachSeatVoted: '各席位的投票：',
    voteColumns: ['席位', '投票', '代理投票人'],
    weight: (n) => `权重 ${n}`,
    secretNote: '无记名投票：记录只显示谁投了票，不显示如何投票。',
    none: '无。',
    rulingColumns: ['时间', '裁定人', '裁定', '理由'],
    certification: (o) =>
      `由 Quorum 于 ${o.at}（${o.tz}）应 ${o.by} 的要求生成，依据会议记录至其审计日志第 ${o.seq} 条${o.hash ? `（哈希 ${o.hash}）` : ''}。` +
      `本文件的 SHA-256 作为下一条“minutes.generated”记录写入该日志。` +
      `${o.keyId ? `服务器用其记录密钥 ${o.keyId} 签署该日志的最新条目，密钥公布于 /.well-known/quorum-record-key。` : ''}`,
    page: (n, of) => `第 ${n} 页，共 ${of} 页`,
  },
  recordings: {
    section: '录像',
    untitled: '录像',
    status: { recording: '录制中', processing: '处理中', ready: '可供观看', failed: '失败', deleted: '已删除' },
    span: (from, to) => (to ? `录制时间：${from} 至 ${to}` : `录制开始：${from}`),
    deleted: (at, reason) => `已于 ${at} 删除。给出的理由：“${reason}”。文件已不存在；下列哈希值仍保留在记录中。`,
    files: plural('zh', { other: '{n} 个文件，各附归档时写入审计日志的 SHA-256：' }),
    segments: plural('zh', { other: '另有 {n} 个 HLS 分段：其哈希值见审计日志和 CSV 格式的纪要。' }),
  },
};

const ar: MinutesText = (() => {
  const seats = plural('ar', { zero: '{n} مقعد', one: 'مقعد واحد', two: 'مقعدان', few: '{n} مقاعد', many: '{n} مقعدًا', other: '{n} مقعد' });
  const ballots = plural('ar', { zero: '{n} ورقة', one: 'ورقة واحدة', two: 'ورقتان', few: '{n} أوراق', many: '{n} ورقة', other: '{n} ورقة' });
  const people = plural('ar', { zero: 'لم يحضر أحد', one: 'حضر شخص واحد', two: 'حضر شخصان', few: 'حضر {n} أشخاص', many: 'حضر {n} شخصًا', other: 'حضر {n} شخص' });
  return {
    locale: 'ar-u-ca-gregory-nu-latn',
    rtl: true,
    minutes: 'محضر الاجتماع',
    unknownPerson: 'شخص غير معروف',
    kind: { board: 'اجتماع مجلس الإدارة', 'general-assembly': 'الجمعية العامة' },
    voterBasis: { institutions: 'مقعد واحد لكل مؤسسة عضو، يصوّت به مندوبوها', members: 'صوت واحد لكل عضو' },
    quorumRule: (r) => (r.kind === 'majority-of-entitled' ? 'أغلبية المقاعد المسجلة' : r.kind === 'at-least' ? `${seats(r.seats)} على الأقل` : `${r.numerator}/${r.denominator} من المقاعد المسجلة`),
    motionStatus: {
      draft: 'مسودة (لم يُقدَّم)',
      submitted: 'مقدَّم، لم يُثنَّ عليه',
      seconded: 'مُثنًّى عليه، لم يُناقَش',
      debate: 'قيد المناقشة',
      voting: 'قيد التصويت',
      carried: 'أُقرّ',
      lost: 'رُفض',
      withdrawn: 'سُحب',
      referred: 'أُحيل',
    },
    ballotStatus: { draft: 'لم يُفتح', open: 'التصويت مفتوح', counting: 'انتهى التصويت، والفرز بانتظار فارزي الأصوات', closed: 'أُغلق، لم تُعلن النتيجة بعد', published: 'أُعلنت النتيجة' },
    rule: {
      simple: 'الأغلبية البسيطة من الأصوات المدلى بها',
      'absolute-present': 'أكثر من نصف أصوات الحاضرين',
      'two-thirds-cast': 'ثلثا الأصوات المدلى بها',
      'majority-entitled': 'أكثر من نصف جميع الأصوات المسجلة',
    },
    electionRule: (s, c) => `تصويت بالقائمة: ${seats(s)}، وحتى ${c} اختيارات في كل ورقة`,
    choice: { yes: 'نعم', no: 'لا', abstain: 'امتناع', noCandidate: 'امتناع (دون مرشح)', didNotVote: 'لم يصوّت' },
    outcome: { carried: 'أُقرّ', lost: 'رُفض', tie: 'تعادل، لم يُقرّ' },
    motionResult: (o, y, n, a, needed, base) => `${o} (نعم ${y}، لا ${n}، امتناع ${a}؛ المطلوب ${needed} من ${base})`,
    tiedForLast: (names, elected) => `تعادل على المقعد الأخير: ${names}${elected ? `؛ فاز: ${elected}` : ''}`,
    elected: (names) => `فاز: ${names}`,
    nobodyElected: 'لم يفز أحد',
    timeLimit: 'انتهاء المهلة',
    overrideRuling: (ref, title, counted, required) => `فتح الاقتراع ${ref} «${title}» دون نصاب${counted !== null ? ` (${counted} من ${required} مقاعد حاضرة أو ممثلة)` : ''}`,
    referredRuling: (ref, title) => `أحال الاقتراح ${ref} «${title}»`,
    withdrewRuling: (ref, title) => `سحب الاقتراح ${ref} «${title}»`,
    pdf: {
      chair: 'الرئيس',
      secretary: 'أمين السر',
      noneAppointed: 'لم يُعيَّن',
      voting: 'التصويت',
      quorumRule: 'قاعدة النصاب',
      room: 'القاعة',
      noRoom: 'لا يوجد (حضور شخصي أو تسجيل فقط)',
      sitting: 'الجلسة',
      sections: { attendance: 'الحضور', quorum: 'النصاب', agenda: 'جدول الأعمال', motions: 'الاقتراحات والتعديلات', ballots: 'الاقتراعات', rulings: 'قرارات الرئيس واستثناءاته' },
      noAttendance: 'لم يُسجَّل أي حضور: لم يدخل أحد قاعة الاجتماع ولم يسجّل أحد حضوره.',
      attended: (n) => `${people(n)}، في قاعة الاجتماع أو بتسجيل الحضور. «ما زال حاضرًا» تعني أنه لم تُسجَّل مغادرة حتى نهاية الجلسة.`,
      attendanceColumns: ['الاسم', 'أول دخول', 'آخر خروج', 'الدقائق', 'سُجّل عبر'],
      stillPresent: 'ما زال حاضرًا',
      source: { room: 'القاعة', 'check-in': 'تسجيل الحضور' },
      quorumNote: (rule) => `القاعدة: ${rule}. يُتحقق منه عند فتح كل اقتراع؛ وتُحتسب المقاعد المفوَّضة عند حضور حاملها.`,
      quorumNeverChecked: 'لم يُفتح أي اقتراع، فلم يُتحقق من النصاب.',
      quorumColumns: ['الوقت', 'الاقتراع', 'الحضور', 'بالتفويض', 'المحتسب / المطلوب', 'النصاب'],
      countedOf: (c, r, e) => `${c} / ${r} من ${e}`,
      met: 'مكتمل',
      notMetOverridden: 'غير مكتمل؛ تجاوزه الرئيس',
      notMet: 'غير مكتمل',
      overrideNote: (ref, name, reason) => `${ref}: فتح ${name} الاقتراع دون نصاب، وعلّل ذلك بـ: «${reason}»`,
      noAgenda: 'لم يُحدَّد جدول أعمال.',
      noMotion: 'لم يُقدَّم أي اقتراح.',
      motion: 'اقتراح',
      amendmentTo: (ref) => `تعديل على ${ref}`,
      agendaItem: (ref) => `البند ${ref} من جدول الأعمال`,
      movedBy: (mover, seconder, outcome) => `قدّمه ${mover}؛ ${seconder ? `وثنّى عليه ${seconder}` : 'ولم يُثنِّ عليه أحد'}. النتيجة: ${outcome}.`,
      noBallot: 'لم يُجرَ أي اقتراع.',
      onMotion: (ref) => `على الاقتراح ${ref}`,
      election: 'انتخاب',
      rollCall: 'تصويت علني بالمناداة',
      secret: 'اقتراع سري',
      abstentions: (count) => (count ? 'يُحتسب الامتناع' : 'لا يُحتسب الامتناع'),
      opened: (at) => `فُتح ${at}`,
      neverOpened: 'لم يُفتح قط',
      closed: (at, by) => `أُغلق ${at}${by ? ` بواسطة ${by}` : ''}`,
      announced: (at) => `أُعلنت النتيجة ${at}`,
      status: (label) => `الحالة: ${label}.`,
      roll: (s, w, present, cast) => `السجل: ${seats(s)}${w !== null ? ` (الوزن ${w}، الحاضر ${present})` : ` (الحاضر ${present})`}؛ أُدلي بـ${ballots(cast)}.`,
      result: (announced) => (announced ? 'النتيجة' : 'النتيجة (لم تُعلن بعد)'),
      candidateColumns: ['المرشح', 'الأصوات'],
      electedMark: 'فاز',
      tiedMark: 'تعادل',
      abstentionsRow: 'الامتناع',
      howEachSeatVoted: 'كيف صوّت كل مقعد:',
      voteColumns: ['المقعد', 'الصوت', 'صوّت بالتفويض'],
      weight: (n) => `الوزن ${n}`,
      secretNote: 'اقتراع سري: يذكر السجل من صوّت، لا كيف صوّت.',
      none: 'لا شيء.',
      rulingColumns: ['الوقت', 'من', 'القرار', 'السبب المعطى'],
      certification: (o) =>
        `أعدّه Quorum في ${o.at} (${o.tz}) بطلب من ${o.by}، من سجلات الاجتماع حتى القيد ${o.seq} من سجل التدقيق${o.hash ? ` (البصمة ${o.hash})` : ''}. ` +
        `تُسجَّل بصمة SHA-256 لهذا الملف في ذلك السجل كقيد «minutes.generated» التالي.` +
        `${o.keyId ? ` يوقّع الخادم رأس ذلك السجل بمفتاح السجل ${o.keyId}، المنشور في /.well-known/quorum-record-key.` : ''}`,
      page: (n, of) => `الصفحة ${n} من ${of}`,
    },
    recordings: {
      section: 'التسجيلات',
      untitled: 'تسجيل',
      status: { recording: 'قيد التسجيل', processing: 'قيد المعالجة', ready: 'متاح', failed: 'فشل', deleted: 'محذوف' },
      span: (from, to) => (to ? `سُجّل من ${from} إلى ${to}` : `سُجّل ابتداءً من ${from}`),
      deleted: (at, reason) => `حُذف ${at}. السبب المعطى: «${reason}». لم تعد الملفات موجودة؛ وتبقى بصماتها أدناه في السجل.`,
      files: plural('ar', {
        zero: 'لا ملفات:',
        one: 'ملف واحد، مع بصمة SHA-256 التي كُتبت في سجل التدقيق عند أرشفته:',
        two: 'ملفان، مع بصمة SHA-256 لكل منهما التي كُتبت في سجل التدقيق عند أرشفتهما:',
        few: '{n} ملفات، مع بصمة SHA-256 لكل منها التي كُتبت في سجل التدقيق عند أرشفتها:',
        many: '{n} ملفًا، مع بصمة SHA-256 لكل منها التي كُتبت في سجل التدقيق عند أرشفتها:',
        other: '{n} ملف، مع بصمة SHA-256 لكل منها التي كُتبت في سجل التدقيق عند أرشفتها:',
      }),
      segments: plural('ar', {
        zero: 'لا مقاطع HLS أخرى.',
        one: 'مقطع HLS واحد آخر: بصمته في سجل التدقيق وفي المحضر بصيغة CSV.',
        two: 'مقطعا HLS آخران: بصمتاهما في سجل التدقيق وفي المحضر بصيغة CSV.',
        few: '{n} مقاطع HLS أخرى: بصماتها في سجل التدقيق وفي المحضر بصيغة CSV.',
        many: '{n} مقطعًا آخر من HLS: بصماتها في سجل التدقيق وفي المحضر بصيغة CSV.',
        other: '{n} مقطع HLS آخر: بصماتها في سجل التدقيق وفي المحضر بصيغة CSV.',
      }),
    },
  };
})();

const ru: MinutesText = (() => {
  const seats = plural('ru', { one: '{n} место', few: '{n} места', many: '{n} мест', other: '{n} места' });
  /** After "не менее", "из": the genitive. */
  const seatsOf = plural('ru', { one: '{n} места', few: '{n} мест', many: '{n} мест', other: '{n} места' });
  const marksOf = plural('ru', { one: '{n} отметки', few: '{n} отметок', many: '{n} отметок', other: '{n} отметки' });
  const ballots = plural('ru', { one: 'подан {n} бюллетень', few: 'подано {n} бюллетеня', many: 'подано {n} бюллетеней', other: 'подано {n} бюллетеня' });
  const people = plural('ru', { one: 'Присутствовал {n} человек', few: 'Присутствовали {n} человека', many: 'Присутствовали {n} человек', other: 'Присутствовали {n} человека' });
  return {
    locale: 'ru-RU-u-ca-gregory-nu-latn',
    rtl: false,
    minutes: 'Протокол',
    unknownPerson: 'Неизвестное лицо',
    kind: { board: 'Заседание правления', 'general-assembly': 'Общее собрание' },
    voterBasis: { institutions: 'Одно место на каждое учреждение-член, голосуют его делегаты', members: 'Один голос у каждого участника' },
    quorumRule: (r) =>
      r.kind === 'majority-of-entitled' ? 'Большинство мест по списку' : r.kind === 'at-least' ? `Не менее ${seatsOf(r.seats)}` : `${r.numerator}/${r.denominator} мест по списку`,
    motionStatus: {
      draft: 'Черновик (не внесено)',
      submitted: 'Внесено, не поддержано',
      seconded: 'Поддержано, не обсуждалось',
      debate: 'Обсуждается',
      voting: 'Ставится на голосование',
      carried: 'Принято',
      lost: 'Отклонено',
      withdrawn: 'Снято',
      referred: 'Передано на рассмотрение',
    },
    ballotStatus: {
      draft: 'Не открыто',
      open: 'Голосование открыто',
      counting: 'Голосование окончено, подсчёт ждёт счётную комиссию',
      closed: 'Закрыто, результат ещё не объявлен',
      published: 'Результат объявлен',
    },
    rule: {
      simple: 'Простое большинство поданных голосов',
      'absolute-present': 'Более половины голосов присутствующих',
      'two-thirds-cast': 'Две трети поданных голосов',
      'majority-entitled': 'Более половины всех голосов по списку',
    },
    electionRule: (s, c) => `Голосование списком: ${seats(s)}, не более ${marksOf(c)} в бюллетене`,
    choice: { yes: 'За', no: 'Против', abstain: 'Воздержался', noCandidate: 'Воздержался (ни один кандидат)', didNotVote: 'Не голосовал' },
    outcome: { carried: 'Принято', lost: 'Отклонено', tie: 'Голоса разделились поровну, не принято' },
    motionResult: (o, y, n, a, needed, base) => `${o} (за ${y}, против ${n}, воздержались ${a}; необходимо ${needed} из ${base})`,
    tiedForLast: (names, elected) => `Равенство голосов на последнее место: ${names}${elected ? `; избран(а): ${elected}` : ''}`,
    elected: (names) => `Избраны: ${names}`,
    nobodyElected: 'Никто не избран',
    timeLimit: 'истечение времени',
    overrideRuling: (ref, title, counted, required) =>
      `Голосование ${ref} «${title}» открыто без кворума${counted !== null ? ` (присутствуют или представлены: ${counted} из ${required} мест)` : ''}`,
    referredRuling: (ref, title) => `Предложение ${ref} «${title}» передано на рассмотрение`,
    withdrewRuling: (ref, title) => `Предложение ${ref} «${title}» снято`,
    pdf: {
      chair: 'Председатель',
      secretary: 'Секретарь',
      noneAppointed: 'Не назначен',
      voting: 'Голосование',
      quorumRule: 'Правило кворума',
      room: 'Комната',
      noRoom: 'Нет (только очно или по отметке о явке)',
      sitting: 'Заседание',
      sections: { attendance: 'Явка', quorum: 'Кворум', agenda: 'Повестка дня', motions: 'Предложения и поправки', ballots: 'Голосования', rulings: 'Решения председателя и отступления от правил' },
      noAttendance: 'Явка не зарегистрирована: никто не входил в комнату заседания и не отмечался.',
      attended: (n) => `${people(n)} — в комнате заседания или по отметке о явке. «Ещё присутствует» означает, что уход не был зарегистрирован до конца заседания.`,
      attendanceColumns: ['Имя', 'Первый вход', 'Последний выход', 'Минуты', 'Способ учёта'],
      stillPresent: 'Ещё присутствует',
      source: { room: 'комната', 'check-in': 'отметка' },
      quorumNote: (rule) => `Правило: ${rule}. Проверялся при открытии каждого голосования; места по доверенности учитываются, если доверенное лицо присутствует.`,
      quorumNeverChecked: 'Ни одно голосование не открывалось, поэтому кворум не проверялся.',
      quorumColumns: ['Время', 'Голосование', 'Присутствуют', 'По доверенности', 'Учтено / необходимо', 'Кворум'],
      countedOf: (c, r, e) => `${c} / ${r} из ${e}`,
      met: 'Есть',
      notMetOverridden: 'Нет; председатель открыл голосование без кворума',
      notMet: 'Нет',
      overrideNote: (ref, name, reason) => `${ref}: ${name} открыл(а) голосование без кворума по причине: «${reason}»`,
      noAgenda: 'Повестка дня не утверждена.',
      noMotion: 'Предложения не вносились.',
      motion: 'Предложение',
      amendmentTo: (ref) => `Поправка к ${ref}`,
      agendaItem: (ref) => `пункт повестки ${ref}`,
      movedBy: (mover, seconder, outcome) => `Внесено: ${mover}; ${seconder ? `поддержано: ${seconder}` : 'не поддержано'}. Итог: ${outcome}.`,
      noBallot: 'Голосования не проводились.',
      onMotion: (ref) => `По предложению ${ref}`,
      election: 'Выборы',
      rollCall: 'поимённое (открытое) голосование',
      secret: 'тайное голосование',
      abstentions: (count) => (count ? 'воздержавшиеся учитываются' : 'воздержавшиеся не учитываются'),
      opened: (at) => `Открыто ${at}`,
      neverOpened: 'Не открывалось',
      closed: (at, by) => `закрыто ${at}${by ? ` (${by})` : ''}`,
      announced: (at) => `результат объявлен ${at}`,
      status: (label) => `Статус: ${label}.`,
      roll: (s, w, present, cast) => `По списку: ${seats(s)}${w !== null ? ` (вес ${w}, присутствуют ${present})` : ` (присутствуют ${present})`}; ${ballots(cast)}.`,
      result: (announced) => (announced ? 'Результат' : 'Результат (ещё не объявлен)'),
      candidateColumns: ['Кандидат', 'Голоса'],
      electedMark: 'Избран',
      tiedMark: 'Равенство',
      abstentionsRow: 'Воздержались',
      howEachSeatVoted: 'Как голосовало каждое место:',
      voteColumns: ['Место', 'Голос', 'Подан по доверенности'],
      weight: (n) => `вес ${n}`,
      secretNote: 'Тайное голосование: в записи указано, кто голосовал, но не как.',
      none: 'Нет.',
      rulingColumns: ['Время', 'Кем', 'Решение', 'Указанная причина'],
      certification: (o) =>
        `Составлено системой Quorum ${o.at} (${o.tz}) по запросу: ${o.by}, по записям заседания до записи № ${o.seq} журнала аудита${o.hash ? ` (хеш ${o.hash})` : ''}. ` +
        `SHA-256 этого файла заносится в тот же журнал следующей записью «minutes.generated».` +
        `${o.keyId ? ` Сервер подписывает последнюю запись журнала своим ключом записи ${o.keyId}, опубликованным по адресу /.well-known/quorum-record-key.` : ''}`,
      page: (n, of) => `Страница ${n} из ${of}`,
    },
    recordings: {
      section: 'Записи',
      untitled: 'Запись',
      status: { recording: 'Идёт запись', processing: 'Обрабатывается', ready: 'Доступна', failed: 'Сбой', deleted: 'Удалена' },
      span: (from, to) => (to ? `Запись с ${from} до ${to}` : `Запись с ${from}`),
      deleted: (at, reason) => `Удалена ${at}. Указанная причина: «${reason}». Файлов больше нет; их хеши ниже остаются в протоколе.`,
      files: plural('ru', {
        one: '{n} файл с SHA-256, занесённым в журнал аудита при архивировании:',
        few: '{n} файла, у каждого SHA-256, занесённый в журнал аудита при архивировании:',
        many: '{n} файлов, у каждого SHA-256, занесённый в журнал аудита при архивировании:',
        other: '{n} файла, у каждого SHA-256, занесённый в журнал аудита при архивировании:',
      }),
      segments: plural('ru', {
        one: 'Ещё {n} сегмент HLS: его хеш — в журнале аудита и в протоколе в формате CSV.',
        few: 'Ещё {n} сегмента HLS: их хеши — в журнале аудита и в протоколе в формате CSV.',
        many: 'Ещё {n} сегментов HLS: их хеши — в журнале аудита и в протоколе в формате CSV.',
        other: 'Ещё {n} сегмента HLS: их хеши — в журнале аудита и в протоколе в формате CSV.',
      }),
    },
  };
})();

const es: MinutesText = (() => {
  const seats = plural('es', { one: '{n} escaño', many: '{n} de escaños', other: '{n} escaños' });
  const choices = plural('es', { one: '{n} opción', many: '{n} de opciones', other: '{n} opciones' });
  const ballots = plural('es', { one: '{n} papeleta emitida', many: '{n} de papeletas emitidas', other: '{n} papeletas emitidas' });
  const people = plural('es', { one: 'Asistió {n} persona', many: 'Asistieron {n} de personas', other: 'Asistieron {n} personas' });
  return {
    locale: 'es-ES-u-ca-gregory-nu-latn',
    rtl: false,
    minutes: 'Acta',
    unknownPerson: 'Persona desconocida',
    kind: { board: 'Reunión de la junta directiva', 'general-assembly': 'Asamblea general' },
    voterBasis: { institutions: 'Un escaño por institución miembro, emitido por sus delegados', members: 'Un voto por miembro' },
    quorumRule: (r) =>
      r.kind === 'majority-of-entitled' ? 'La mayoría de los escaños del censo' : r.kind === 'at-least' ? `Al menos ${seats(r.seats)}` : `${r.numerator}/${r.denominator} de los escaños del censo`,
    motionStatus: {
      draft: 'Borrador (no presentada)',
      submitted: 'Presentada, sin secundar',
      seconded: 'Secundada, sin debatir',
      debate: 'En debate',
      voting: 'En votación',
      carried: 'Aprobada',
      lost: 'Rechazada',
      withdrawn: 'Retirada',
      referred: 'Remitida',
    },
    ballotStatus: {
      draft: 'No abierta',
      open: 'Votación abierta',
      counting: 'Votación terminada, escrutinio a la espera de los escrutadores',
      closed: 'Cerrada, resultado aún no proclamado',
      published: 'Resultado proclamado',
    },
    rule: {
      simple: 'Mayoría simple de los votos emitidos',
      'absolute-present': 'Más de la mitad de los votos presentes',
      'two-thirds-cast': 'Dos tercios de los votos emitidos',
      'majority-entitled': 'Más de la mitad de todos los votos del censo',
    },
    electionRule: (s, c) => `Voto en bloque: ${seats(s)}, hasta ${choices(c)} por papeleta`,
    choice: { yes: 'Sí', no: 'No', abstain: 'Abstención', noCandidate: 'Abstención (ninguna candidatura)', didNotVote: 'No votó' },
    outcome: { carried: 'Aprobada', lost: 'Rechazada', tie: 'Empate, no aprobada' },
    motionResult: (o, y, n, a, needed, base) => `${o} (sí ${y}, no ${n}, abstenciones ${a}; se necesitaban ${needed} de ${base})`,
    tiedForLast: (names, elected) => `Empate por el último puesto: ${names}${elected ? `; elegido: ${elected}` : ''}`,
    elected: (names) => `Elegidos: ${names}`,
    nobodyElected: 'Nadie resultó elegido',
    timeLimit: 'el límite de tiempo',
    overrideRuling: (ref, title, counted, required) =>
      `Abrió la votación ${ref} «${title}» sin quórum${counted !== null ? ` (${counted} de ${required} escaños presentes o representados)` : ''}`,
    referredRuling: (ref, title) => `Remitió la moción ${ref} «${title}»`,
    withdrewRuling: (ref, title) => `Retiró la moción ${ref} «${title}»`,
    pdf: {
      chair: 'Presidencia',
      secretary: 'Secretaría',
      noneAppointed: 'Sin designar',
      voting: 'Votación',
      quorumRule: 'Regla de quórum',
      room: 'Sala',
      noRoom: 'Ninguna (presencial o solo por registro de asistencia)',
      sitting: 'Sesión',
      sections: { attendance: 'Asistencia', quorum: 'Quórum', agenda: 'Orden del día', motions: 'Mociones y enmiendas', ballots: 'Votaciones', rulings: 'Decisiones de la presidencia' },
      noAttendance: 'No se registró asistencia: nadie estuvo en la sala de la reunión ni registró su entrada.',
      attended: (n) => `${people(n)}, en la sala de la reunión o registrando su entrada. «Sigue presente» significa que no se registró la salida antes del final de la sesión.`,
      attendanceColumns: ['Nombre', 'Primera entrada', 'Última salida', 'Minutos', 'Registrado por'],
      stillPresent: 'Sigue presente',
      source: { room: 'sala', 'check-in': 'registro' },
      quorumNote: (rule) => `Regla: ${rule}. Se comprobó al abrir cada votación; los escaños delegados cuentan cuando su apoderado está presente.`,
      quorumNeverChecked: 'No se abrió ninguna votación, por lo que nunca se comprobó el quórum.',
      quorumColumns: ['Hora', 'Votación', 'Presentes', 'Por delegación', 'Computados / necesarios', 'Quórum'],
      countedOf: (c, r, e) => `${c} / ${r} de ${e}`,
      met: 'Hay quórum',
      notMetOverridden: 'Sin quórum; la presidencia lo dispensó',
      notMet: 'Sin quórum',
      overrideNote: (ref, name, reason) => `${ref}: ${name} abrió la votación sin quórum, con el motivo: «${reason}»`,
      noAgenda: 'No se fijó orden del día.',
      noMotion: 'No se presentó ninguna moción.',
      motion: 'Moción',
      amendmentTo: (ref) => `Enmienda a ${ref}`,
      agendaItem: (ref) => `punto ${ref} del orden del día`,
      movedBy: (mover, seconder, outcome) => `Propuesta por ${mover}; ${seconder ? `secundada por ${seconder}` : 'sin secundar'}. Resultado: ${outcome}.`,
      noBallot: 'No se celebró ninguna votación.',
      onMotion: (ref) => `Sobre la moción ${ref}`,
      election: 'Elección',
      rollCall: 'votación nominal (pública)',
      secret: 'votación secreta',
      abstentions: (count) => (count ? 'las abstenciones cuentan' : 'las abstenciones no cuentan'),
      opened: (at) => `Abierta el ${at}`,
      neverOpened: 'Nunca se abrió',
      closed: (at, by) => `cerrada el ${at}${by ? ` por ${by}` : ''}`,
      announced: (at) => `resultado proclamado el ${at}`,
      status: (label) => `Estado: ${label}.`,
      roll: (s, w, present, cast) => `Censo: ${seats(s)}${w !== null ? ` (peso ${w}, presentes ${present})` : ` (${present} presentes)`}; ${ballots(cast)}.`,
      result: (announced) => (announced ? 'Resultado' : 'Resultado (aún no proclamado)'),
      candidateColumns: ['Candidatura', 'Votos'],
      electedMark: 'Elegido',
      tiedMark: 'Empate',
      abstentionsRow: 'Abstenciones',
      howEachSeatVoted: 'Cómo votó cada escaño:',
      voteColumns: ['Escaño', 'Voto', 'Emitido por delegación'],
      weight: (n) => `peso ${n}`,
      secretNote: 'Votación secreta: el registro indica quién votó, no cómo.',
      none: 'Ninguna.',
      rulingColumns: ['Hora', 'Por', 'Decisión', 'Motivo alegado'],
      certification: (o) =>
        `Generada por Quorum el ${o.at} (${o.tz}) a petición de ${o.by}, a partir de los registros de la reunión hasta la entrada ${o.seq} de su registro de auditoría${o.hash ? ` (hash ${o.hash})` : ''}. ` +
        `El SHA-256 de este archivo queda anotado en ese registro como la siguiente entrada «minutes.generated».` +
        `${o.keyId ? ` El servidor firma la cabecera de ese registro con su clave de registro ${o.keyId}, publicada en /.well-known/quorum-record-key.` : ''}`,
      page: (n, of) => `Página ${n} de ${of}`,
    },
    recordings: {
      section: 'Grabaciones',
      untitled: 'Grabación',
      status: { recording: 'Grabándose', processing: 'En proceso', ready: 'Disponible', failed: 'Fallida', deleted: 'Eliminada' },
      span: (from, to) => (to ? `Grabación: de ${from} a ${to}` : `Grabación: desde ${from}`),
      deleted: (at, reason) => `Eliminada el ${at}. Motivo indicado: «${reason}». Los archivos ya no existen; sus hashes, abajo, permanecen en el acta.`,
      files: plural('es', {
        one: '{n} archivo, con el SHA-256 anotado en el registro de auditoría al archivarse:',
        many: '{n} de archivos, cada uno con el SHA-256 anotado en el registro de auditoría al archivarse:',
        other: '{n} archivos, cada uno con el SHA-256 anotado en el registro de auditoría al archivarse:',
      }),
      segments: plural('es', {
        one: '{n} segmento HLS más: su hash está en el registro de auditoría y en el acta en CSV.',
        many: '{n} de segmentos HLS más: sus hashes están en el registro de auditoría y en el acta en CSV.',
        other: '{n} segmentos HLS más: sus hashes están en el registro de auditoría y en el acta en CSV.',
      }),
    },
  };
})();

const fr: MinutesText = (() => {
  const seats = plural('fr', { one: '{n} siège', many: '{n} de sièges', other: '{n} sièges' });
  const choices = plural('fr', { one: '{n} choix', many: '{n} de choix', other: '{n} choix' });
  const ballots = plural('fr', { one: '{n} bulletin déposé', many: '{n} de bulletins déposés', other: '{n} bulletins déposés' });
  const people = plural('fr', { one: '{n} personne présente', many: '{n} de personnes présentes', other: '{n} personnes présentes' });
  return {
    locale: 'fr-FR-u-ca-gregory-nu-latn',
    rtl: false,
    minutes: 'Procès-verbal',
    unknownPerson: 'Personne inconnue',
    kind: { board: 'Réunion du conseil d’administration', 'general-assembly': 'Assemblée générale' },
    voterBasis: { institutions: 'Un siège par établissement membre, exprimé par ses délégués', members: 'Une voix par membre' },
    quorumRule: (r) =>
      r.kind === 'majority-of-entitled' ? 'La majorité des sièges inscrits' : r.kind === 'at-least' ? `Au moins ${seats(r.seats)}` : `${r.numerator}/${r.denominator} des sièges inscrits`,
    motionStatus: {
      draft: 'Brouillon (non déposée)',
      submitted: 'Déposée, non appuyée',
      seconded: 'Appuyée, non discutée',
      debate: 'En discussion',
      voting: 'Mise aux voix',
      carried: 'Adoptée',
      lost: 'Rejetée',
      withdrawn: 'Retirée',
      referred: 'Renvoyée',
    },
    ballotStatus: {
      draft: 'Non ouvert',
      open: 'Vote ouvert',
      counting: 'Vote terminé, dépouillement en attente des scrutateurs',
      closed: 'Clos, résultat non encore proclamé',
      published: 'Résultat proclamé',
    },
    rule: {
      simple: 'Majorité simple des suffrages exprimés',
      'absolute-present': 'Plus de la moitié des voix présentes',
      'two-thirds-cast': 'Deux tiers des suffrages exprimés',
      'majority-entitled': 'Plus de la moitié de toutes les voix inscrites',
    },
    electionRule: (s, c) => `Scrutin plurinominal : ${seats(s)}, ${choices(c)} au plus par bulletin`,
    choice: { yes: 'Pour', no: 'Contre', abstain: 'Abstention', noCandidate: 'Abstention (aucun candidat)', didNotVote: 'N’a pas voté' },
    outcome: { carried: 'Adoptée', lost: 'Rejetée', tie: 'Égalité, non adoptée' },
    motionResult: (o, y, n, a, needed, base) => `${o} (pour ${y}, contre ${n}, abstentions ${a} ; ${needed} requis sur ${base})`,
    tiedForLast: (names, elected) => `Égalité pour le dernier siège : ${names}${elected ? ` ; élu : ${elected}` : ''}`,
    elected: (names) => `Élus : ${names}`,
    nobodyElected: 'Personne n’a été élu',
    timeLimit: 'la limite de temps',
    overrideRuling: (ref, title, counted, required) =>
      `Ouverture du scrutin ${ref} « ${title} » sans quorum${counted !== null ? ` (${counted} sièges présents ou représentés sur ${required} requis)` : ''}`,
    referredRuling: (ref, title) => `Renvoi de la résolution ${ref} « ${title} »`,
    withdrewRuling: (ref, title) => `Retrait de la résolution ${ref} « ${title} »`,
    pdf: {
      chair: 'Présidence',
      secretary: 'Secrétariat',
      noneAppointed: 'Non désigné',
      voting: 'Vote',
      quorumRule: 'Règle de quorum',
      room: 'Salle',
      noRoom: 'Aucune (en présentiel ou par pointage uniquement)',
      sitting: 'Séance',
      sections: { attendance: 'Présences', quorum: 'Quorum', agenda: 'Ordre du jour', motions: 'Résolutions et amendements', ballots: 'Scrutins', rulings: 'Décisions et dérogations de la présidence' },
      noAttendance: 'Aucune présence n’a été enregistrée : personne n’est entré dans la salle de la réunion ni n’a pointé.',
      attended: (n) => `${people(n)}, dans la salle de la réunion ou par pointage. « Toujours présent » signifie qu’aucun départ n’a été enregistré avant la fin de la séance.`,
      attendanceColumns: ['Nom', 'Première entrée', 'Dernière sortie', 'Durée (min)', 'Enregistré par'],
      stillPresent: 'Toujours présent',
      source: { room: 'salle', 'check-in': 'pointage' },
      quorumNote: (rule) => `Règle : ${rule}. Vérifié à l’ouverture de chaque scrutin ; les sièges détenus par procuration comptent lorsque leur mandataire est présent.`,
      quorumNeverChecked: 'Aucun scrutin n’a été ouvert : le quorum n’a donc jamais été vérifié.',
      quorumColumns: ['Heure', 'Scrutin', 'Présents', 'Par procuration', 'Comptés / requis', 'Quorum'],
      countedOf: (c, r, e) => `${c} / ${r} sur ${e}`,
      met: 'Atteint',
      notMetOverridden: 'Non atteint ; la présidence a passé outre',
      notMet: 'Non atteint',
      overrideNote: (ref, name, reason) => `${ref} : ${name} a ouvert le scrutin sans quorum, en invoquant le motif suivant : « ${reason} »`,
      noAgenda: 'Aucun ordre du jour n’a été fixé.',
      noMotion: 'Aucune résolution n’a été proposée.',
      motion: 'Résolution',
      amendmentTo: (ref) => `Amendement à ${ref}`,
      agendaItem: (ref) => `point ${ref} de l’ordre du jour`,
      movedBy: (mover, seconder, outcome) => `Proposée par ${mover} ; ${seconder ? `appuyée par ${seconder}` : 'non appuyée'}. Issue : ${outcome}.`,
      noBallot: 'Aucun scrutin n’a eu lieu.',
      onMotion: (ref) => `Sur la résolution ${ref}`,
      election: 'Élection',
      rollCall: 'vote par appel nominal (public)',
      secret: 'scrutin secret',
      abstentions: (count) => (count ? 'les abstentions comptent' : 'les abstentions ne comptent pas'),
      opened: (at) => `Ouvert le ${at}`,
      neverOpened: 'Jamais ouvert',
      closed: (at, by) => `clos le ${at}${by ? ` par ${by}` : ''}`,
      announced: (at) => `résultat proclamé le ${at}`,
      status: (label) => `Statut : ${label}.`,
      roll: (s, w, present, cast) => `Liste : ${seats(s)}${w !== null ? ` (poids ${w}, présents ${present})` : ` (${present} présents)`} ; ${ballots(cast)}.`,
      result: (announced) => (announced ? 'Résultat' : 'Résultat (non encore proclamé)'),
      candidateColumns: ['Candidat', 'Voix'],
      electedMark: 'Élu',
      tiedMark: 'Ex æquo',
      abstentionsRow: 'Abstentions',
      howEachSeatVoted: 'Vote de chaque siège :',
      voteColumns: ['Siège', 'Sens du vote', 'Exprimé par procuration'],
      weight: (n) => `poids ${n}`,
      secretNote: 'Scrutin secret : le registre indique qui a voté, pas comment.',
      none: 'Aucune.',
      rulingColumns: ['Heure', 'Par', 'Décision', 'Motif invoqué'],
      certification: (o) =>
        `Établi par Quorum le ${o.at} (${o.tz}) à la demande de ${o.by}, à partir des registres de la réunion jusqu’à l’entrée ${o.seq} de son journal d’audit${o.hash ? ` (empreinte ${o.hash})` : ''}. ` +
        `Le SHA-256 de ce fichier est consigné dans ce journal comme l’entrée « minutes.generated » suivante.` +
        `${o.keyId ? ` Le serveur signe la tête de ce journal avec sa clé de registre ${o.keyId}, publiée à /.well-known/quorum-record-key.` : ''}`,
      page: (n, of) => `Page ${n} sur ${of}`,
    },
    recordings: {
      section: 'Enregistrements',
      untitled: 'Enregistrement',
      status: { recording: 'En cours d’enregistrement', processing: 'En traitement', ready: 'Disponible', failed: 'Échec', deleted: 'Supprimé' },
      span: (from, to) => (to ? `Enregistré de ${from} à ${to}` : `Enregistré à partir de ${from}`),
      deleted: (at, reason) => `Supprimé le ${at}. Motif donné : « ${reason} ». Les fichiers n’existent plus ; leurs empreintes ci-dessous restent au procès-verbal.`,
      files: plural('fr', {
        one: '{n} fichier, avec l’empreinte SHA-256 inscrite au journal d’audit lors de son archivage :',
        many: '{n} de fichiers, chacun avec l’empreinte SHA-256 inscrite au journal d’audit lors de l’archivage :',
        other: '{n} fichiers, chacun avec l’empreinte SHA-256 inscrite au journal d’audit lors de l’archivage :',
      }),
      segments: plural('fr', {
        one: '{n} segment HLS de plus : son empreinte figure au journal d’audit et dans le procès-verbal CSV.',
        many: '{n} de segments HLS de plus : leurs empreintes figurent au journal d’audit et dans le procès-verbal CSV.',
        other: '{n} segments HLS de plus : leurs empreintes figurent au journal d’audit et dans le procès-verbal CSV.',
      }),
    },
  };
})();

const pt: MinutesText = (() => {
  const seats = plural('pt', { one: '{n} assento', many: '{n} de assentos', other: '{n} assentos' });
  const choices = plural('pt', { one: '{n} escolha', many: '{n} de escolhas', other: '{n} escolhas' });
  const ballots = plural('pt', { one: '{n} cédula depositada', many: '{n} de cédulas depositadas', other: '{n} cédulas depositadas' });
  const people = plural('pt', { one: '{n} pessoa presente', many: '{n} de pessoas presentes', other: '{n} pessoas presentes' });
  return {
    locale: 'pt-BR-u-ca-gregory-nu-latn',
    rtl: false,
    minutes: 'Ata',
    unknownPerson: 'Pessoa desconhecida',
    kind: { board: 'Reunião de diretoria', 'general-assembly': 'Assembleia geral' },
    voterBasis: { institutions: 'Um assento por instituição-membro, votado por seus delegados', members: 'Um voto por membro' },
    quorumRule: (r) =>
      r.kind === 'majority-of-entitled' ? 'A maioria dos assentos da lista' : r.kind === 'at-least' ? `Pelo menos ${seats(r.seats)}` : `${r.numerator}/${r.denominator} dos assentos da lista`,
    motionStatus: {
      draft: 'Rascunho (não apresentada)',
      submitted: 'Apresentada, sem apoio',
      seconded: 'Apoiada, não discutida',
      debate: 'Em discussão',
      voting: 'Em votação',
      carried: 'Aprovada',
      lost: 'Rejeitada',
      withdrawn: 'Retirada',
      referred: 'Encaminhada',
    },
    ballotStatus: {
      draft: 'Não aberta',
      open: 'Votação aberta',
      counting: 'Votação encerrada, apuração aguardando os escrutinadores',
      closed: 'Encerrada, resultado ainda não proclamado',
      published: 'Resultado proclamado',
    },
    rule: {
      simple: 'Maioria simples dos votos válidos',
      'absolute-present': 'Mais da metade dos votos presentes',
      'two-thirds-cast': 'Dois terços dos votos válidos',
      'majority-entitled': 'Mais da metade de todos os votos da lista',
    },
    electionRule: (s, c) => `Votação em bloco: ${seats(s)}, até ${choices(c)} por cédula`,
    choice: { yes: 'Sim', no: 'Não', abstain: 'Abstenção', noCandidate: 'Abstenção (nenhum candidato)', didNotVote: 'Não votou' },
    outcome: { carried: 'Aprovada', lost: 'Rejeitada', tie: 'Empate, não aprovada' },
    motionResult: (o, y, n, a, needed, base) => `${o} (sim ${y}, não ${n}, abstenções ${a}; necessários ${needed} de ${base})`,
    tiedForLast: (names, elected) => `Empate pelo último assento: ${names}${elected ? `; eleito: ${elected}` : ''}`,
    elected: (names) => `Eleitos: ${names}`,
    nobodyElected: 'Ninguém foi eleito',
    timeLimit: 'o limite de tempo',
    overrideRuling: (ref, title, counted, required) =>
      `Abriu a votação ${ref} “${title}” sem quórum${counted !== null ? ` (${counted} de ${required} assentos presentes ou representados)` : ''}`,
    referredRuling: (ref, title) => `Encaminhou a moção ${ref} “${title}”`,
    withdrewRuling: (ref, title) => `Retirou a moção ${ref} “${title}”`,
    pdf: {
      chair: 'Presidência',
      secretary: 'Secretaria',
      noneAppointed: 'Não designado',
      voting: 'Votação',
      quorumRule: 'Regra de quórum',
      room: 'Sala',
      noRoom: 'Nenhuma (presencial ou apenas por registro de presença)',
      sitting: 'Sessão',
      sections: { attendance: 'Presença', quorum: 'Quórum', agenda: 'Pauta', motions: 'Moções e emendas', ballots: 'Votações', rulings: 'Decisões e exceções da presidência' },
      noAttendance: 'Nenhuma presença foi registrada: ninguém esteve na sala da reunião nem registrou presença.',
      attended: (n) => `${people(n)}, na sala da reunião ou por registro de presença. “Ainda presente” significa que nenhuma saída foi registrada até o fim da sessão.`,
      attendanceColumns: ['Nome', 'Primeira entrada', 'Última saída', 'Minutos', 'Registrado por'],
      stillPresent: 'Ainda presente',
      source: { room: 'sala', 'check-in': 'registro' },
      quorumNote: (rule) => `Regra: ${rule}. Verificado na abertura de cada votação; assentos por procuração contam quando o procurador está presente.`,
      quorumNeverChecked: 'Nenhuma votação foi aberta; por isso, o quórum nunca foi verificado.',
      quorumColumns: ['Hora', 'Votação', 'Presentes', 'Por procuração', 'Contados / necessários', 'Quórum'],
      countedOf: (c, r, e) => `${c} / ${r} de ${e}`,
      met: 'Atingido',
      notMetOverridden: 'Não atingido; a presidência dispensou',
      notMet: 'Não atingido',
      overrideNote: (ref, name, reason) => `${ref}: ${name} abriu a votação sem quórum, com a justificativa: “${reason}”`,
      noAgenda: 'Nenhuma pauta foi definida.',
      noMotion: 'Nenhuma moção foi apresentada.',
      motion: 'Moção',
      amendmentTo: (ref) => `Emenda a ${ref}`,
      agendaItem: (ref) => `item ${ref} da pauta`,
      movedBy: (mover, seconder, outcome) => `Proposta por ${mover}; ${seconder ? `apoiada por ${seconder}` : 'sem apoio'}. Resultado: ${outcome}.`,
      noBallot: 'Nenhuma votação foi realizada.',
      onMotion: (ref) => `Sobre a moção ${ref}`,
      election: 'Eleição',
      rollCall: 'votação nominal (aberta)',
      secret: 'votação secreta',
      abstentions: (count) => (count ? 'as abstenções contam' : 'as abstenções não contam'),
      opened: (at) => `Aberta em ${at}`,
      neverOpened: 'Nunca aberta',
      closed: (at, by) => `encerrada em ${at}${by ? ` por ${by}` : ''}`,
      announced: (at) => `resultado proclamado em ${at}`,
      status: (label) => `Situação: ${label}.`,
      roll: (s, w, present, cast) => `Lista: ${seats(s)}${w !== null ? ` (peso ${w}, presentes ${present})` : ` (${present} presentes)`}; ${ballots(cast)}.`,
      result: (announced) => (announced ? 'Resultado' : 'Resultado (ainda não proclamado)'),
      candidateColumns: ['Candidato', 'Votos'],
      electedMark: 'Eleito',
      tiedMark: 'Empate',
      abstentionsRow: 'Abstenções',
      howEachSeatVoted: 'Como cada assento votou:',
      voteColumns: ['Assento', 'Voto', 'Dado por procuração'],
      weight: (n) => `peso ${n}`,
      secretNote: 'Votação secreta: o registro mostra quem votou, não como.',
      none: 'Nenhuma.',
      rulingColumns: ['Hora', 'Por', 'Decisão', 'Justificativa'],
      certification: (o) =>
        `Gerada pelo Quorum em ${o.at} (${o.tz}) a pedido de ${o.by}, a partir dos registros da reunião até a entrada ${o.seq} do seu log de auditoria${o.hash ? ` (hash ${o.hash})` : ''}. ` +
        `O SHA-256 deste arquivo é anotado nesse log como a próxima entrada “minutes.generated”.` +
        `${o.keyId ? ` O servidor assina o topo desse log com sua chave de registro ${o.keyId}, publicada em /.well-known/quorum-record-key.` : ''}`,
      page: (n, of) => `Página ${n} de ${of}`,
    },
    recordings: {
      section: 'Gravações',
      untitled: 'Gravação',
      status: { recording: 'Em gravação', processing: 'Em processamento', ready: 'Disponível', failed: 'Falhou', deleted: 'Excluída' },
      span: (from, to) => (to ? `Gravação: de ${from} a ${to}` : `Gravação: a partir de ${from}`),
      deleted: (at, reason) => `Excluída em ${at}. Motivo informado: “${reason}”. Os arquivos não existem mais; seus hashes abaixo permanecem na ata.`,
      files: plural('pt', {
        one: '{n} arquivo, com o SHA-256 anotado no log de auditoria ao ser arquivado:',
        many: '{n} de arquivos, cada um com o SHA-256 anotado no log de auditoria ao ser arquivado:',
        other: '{n} arquivos, cada um com o SHA-256 anotado no log de auditoria ao serem arquivados:',
      }),
      segments: plural('pt', {
        one: 'Mais {n} segmento HLS: seu hash está no log de auditoria e na ata em CSV.',
        many: 'Mais {n} de segmentos HLS: seus hashes estão no log de auditoria e na ata em CSV.',
        other: 'Mais {n} segmentos HLS: seus hashes estão no log de auditoria e na ata em CSV.',
      }),
    },
  };
})();

export const MINUTES_TEXT: Record<MeetingLanguage, MinutesText> = { en, zh, ar, ru, es, fr, pt };
