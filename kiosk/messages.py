"""Every word the kiosk shows or prints, per language, keyed by stable ids.

Keys follow the domain's own ids, so a reason code found in a log or result.json leads straight to
its words: `reason.R18.sign_password_locked`, `remedy.municipal_office`, `procedure.renewal`.
Site-specific words (counter names, papers to bring) live in the site config instead. The words
of the screens' chrome live in `messages_ui.py`, the ticket's own in `messages_ticket.py`.

Pure data and one lookup function: no pygame, no files. Plain language on purpose: short
sentences, the action first, no legal terms without their meaning. Uncertain facts say
「窓口でご確認ください」 instead of stating them (rules.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.messages_ticket import TICKET_MESSAGES
from kiosk.messages_ui import UI_MESSAGES

LANGUAGES = ("ja", "en")

_DOMAIN: dict[str, Mapping[str, str]] = {
    # --- procedures -----------------------------------------------------------------------------
    "procedure.renewal": {"ja": "免許の更新", "en": "Licence renewal"},
    "procedure.renewal_via": {
        "ja": "他の都道府県の免許の更新（経由更新）",
        "en": "Renewal of a licence from another prefecture",
    },
    "procedure.record_change": {
        "ja": "住所・氏名・本籍の変更（記載事項変更）",
        "en": "Change of address, name or registered domicile",
    },
    "procedure.reissue": {"ja": "なくした・こわれた（再交付）", "en": "Lost or damaged licence (reissue)"},
    "procedure.holding_change": {
        "ja": "マイナ免許証にしたい・やめたい（保有状況の変更）",
        "en": "Start or stop using the licence on the My Number card",
    },
    "procedure.re_record": {
        "ja": "新しいマイナンバーカードに免許を記録（再記録）",
        "en": "Record the licence again on a new My Number card",
    },
    "procedure.myna_service": {
        "ja": "マイナ免許証のサービス申請（マイナポータル連携など）",
        "en": "My Number licence services (portal link and more)",
    },
    "procedure.international_permit": {"ja": "国外運転免許証", "en": "International driving permit"},
    "procedure.surrender": {
        "ja": "免許の返納・運転経歴証明書",
        "en": "Give up the licence / driving history certificate",
    },
    "procedure.enquiry": {"ja": "わからない・相談したい", "en": "Not sure / I have a question"},
    # --- holding statuses (R1) -----------------------------------------------------------------
    "status.license_only": {"ja": "免許証のみ", "en": "Licence card only"},
    "status.myna_only": {"ja": "マイナ免許証のみ", "en": "My Number card licence only"},
    "status.both": {"ja": "免許証とマイナ免許証（2枚持ち）", "en": "Both (licence card and My Number card)"},
    # --- questions ------------------------------------------------------------------------------
    "question.current": {"ja": "今、どの免許をお持ちですか", "en": "Which licence do you hold now?"},
    "question.wanted": {"ja": "手続のあと、どれにしますか", "en": "What do you want after the procedure?"},
    "question.lost": {"ja": "なくした・こわれたのはどれですか", "en": "What was lost or damaged?"},
    "question.lecture_class": {
        "ja": "更新のお知らせ（更新連絡書）の講習区分はどれですか",
        "en": "Which lecture class is on your renewal notice?",
    },
    "question.online_lecture": {
        "ja": "オンライン講習を受講しましたか",
        "en": "Did you take the online lecture?",
    },
    "question.service": {"ja": "どのサービスを申し込みますか", "en": "Which service do you want?"},
    "question.moved": {
        "ja": "最近、住所や氏名が変わりましたか",
        "en": "Has your address or name changed recently?",
    },
    "option.lost.license_card": {"ja": "免許証（カード）", "en": "The licence card"},
    "option.lost.myna_card": {"ja": "マイナンバーカード", "en": "The My Number card"},
    "option.lost.both_cards": {"ja": "両方", "en": "Both cards"},
    "option.lecture_class.excellent": {"ja": "優良", "en": "Excellent driver (優良)"},
    "option.lecture_class.general": {"ja": "一般", "en": "General (一般)"},
    "option.lecture_class.violation": {"ja": "違反", "en": "Violation (違反)"},
    "option.lecture_class.first": {"ja": "初回", "en": "First renewal (初回)"},
    "option.lecture_class.elderly_done": {
        "ja": "高齢者講習を受講済み",
        "en": "Senior drivers' lecture already taken",
    },
    "option.online_lecture.yes": {"ja": "はい、受講しました", "en": "Yes, I took it"},
    "option.online_lecture.no": {"ja": "いいえ", "en": "No"},
    "option.service.portal_link": {"ja": "マイナポータル連携", "en": "Link to Mynaportal"},
    "option.service.online_lecture": {"ja": "オンライン講習", "en": "Online renewal lecture"},
    "option.service.address_onestop": {
        "ja": "住所変更ワンストップサービス",
        "en": "One-stop address change",
    },
    "option.moved.no": {"ja": "変わっていない", "en": "No change"},
    "option.moved.yes_card_updated": {
        "ja": "変わった（マイナンバーカードは変更済み）",
        "en": "Yes, and my My Number card is already updated",
    },
    "option.moved.yes_card_not_updated": {
        "ja": "変わった（マイナンバーカードはまだ）",
        "en": "Yes, but my My Number card is not updated yet",
    },
    # --- outcomes and check lines ---------------------------------------------------------------
    "outcome.ok": {"ja": "OK", "en": "OK"},
    "outcome.warn": {"ja": "ご注意", "en": "Please note"},
    "outcome.unknown": {"ja": "窓口で確認", "en": "Staff will check"},
    "outcome.block": {"ja": "今日はできません", "en": "Not possible today"},
    "check.answers.eligibility": {"ja": "申込みの条件", "en": "Who can apply"},
    "check.answers.card_up_to_date": {"ja": "カードの住所・氏名", "en": "Address and name on the card"},
    "check.answers.lost_card": {"ja": "なくしたカード", "en": "The lost card"},
    "check.card.kind": {"ja": "カードの種類", "en": "Type of card"},
    "check.card.expiry": {"ja": "カードの有効期限", "en": "Card expiry date"},
    "check.card.licence_data": {"ja": "カードの免許情報", "en": "Licence data on the card"},
    "check.card.free_area": {"ja": "カードの空き容量", "en": "Free space on the card"},
    "check.card.auth_cert": {"ja": "電子証明書", "en": "Electronic certificate"},
    "check.card.sign_cert": {"ja": "署名用電子証明書", "en": "Signature certificate"},
    "check.card.sign_password": {
        "ja": "署名用パスワード（6〜16桁）",
        "en": "Signature password (6–16 characters)",
    },
    "check.card.user_pin": {"ja": "利用者証明用暗証番号（4桁）", "en": "User PIN (4 digits)"},
    "check.service.portal_link": {"ja": "マイナポータル連携", "en": "Mynaportal link"},
    # --- reasons (explanations), one per reason code --------------------------------------------
    "reason.R11.card_not_updated": {
        "ja": "先に市区町村の窓口でマイナンバーカードの住所・氏名を変更してください。"
        "免許の情報はカードと同じにする必要があります。",
        "en": "First update the address or name on your My Number card at your city office. "
        "The licence must match the card.",
    },
    "reason.R11.card_up_to_date": {"ja": "カードの情報は最新です。", "en": "Your card is up to date."},
    "reason.R3.myna_card_lost": {
        "ja": "なくしたマイナンバーカードは、まず市区町村で再発行します。その後、ここで免許情報をもう一度記録します。",
        "en": "A lost My Number card is reissued by your city office first. "
        "Then the licence is recorded on the new card here.",
    },
    "reason.R3.myna_card_lost_licence_card_today": {
        "ja": "今日は免許証（カード）の手続ができます。マイナンバーカードは市区町村で再発行してください。",
        "en": "You can get a licence card today. Get a new My Number card from your city office.",
    },
    "reason.R3.mynumber_card": {"ja": "マイナンバーカードを確認しました。", "en": "My Number card found."},
    "reason.R3.smartphone_jpki": {
        "ja": "スマートフォンでは手続できません。マイナンバーカード本体をお持ちください。",
        "en": "A smartphone cannot be used. Please bring the My Number card itself.",
    },
    "reason.R3.juki_card": {
        "ja": "住民基本台帳カードです。マイナンバーカードが必要です（市区町村で申請）。",
        "en": "This is an old Juki card. You need a My Number card (apply at your city office).",
    },
    "reason.R3.licence_card_not_mynumber": {
        "ja": "これは免許証です。マイナンバーカードを置いてください。",
        "en": "This is a driver's licence card. Please place your My Number card.",
    },
    "reason.R3.not_a_mynumber_card": {
        "ja": "このカードは使えません。マイナンバーカードを置いてください。",
        "en": "This card cannot be used here. Please place your My Number card.",
    },
    "reason.R5.chip_unreadable": {
        "ja": "カードのICチップが読めません。こわれている場合、マイナ免許証の手続はできません。",
        "en": "The card's chip cannot be read. If it is damaged, My Number licence procedures are not possible.",
    },
    "reason.R4.card_expired": {
        "ja": "マイナンバーカードの有効期限が切れています。マイナ免許証の手続はできません。"
        "免許の有効期限内なら運転はできます。免許証（カード）の手続はできます。",
        "en": "Your My Number card has expired, so My Number licence procedures are not possible. "
        "You may still drive while the licence itself is valid, and licence-card procedures are possible.",
    },
    "reason.R4.card_expiring_soon": {
        "ja": "マイナンバーカードの有効期限が近づいています。",
        "en": "Your My Number card expires soon.",
    },
    "reason.R4.card_valid": {"ja": "有効期限内です。", "en": "The card is valid."},
    "reason.R4.card_expiry_unknown": {
        "ja": "有効期限を読み取れませんでした。",
        "en": "The expiry date could not be read.",
    },
    "reason.R3.licence_data_unknown": {
        "ja": "免許情報の有無を読み取れませんでした。",
        "en": "Could not tell whether the card holds licence data.",
    },
    "reason.R3.already_recorded": {
        "ja": "このカードには免許情報が記録されています。",
        "en": "This card already holds licence data.",
    },
    "reason.R3.ready_to_record": {
        "ja": "免許情報はまだ記録されていません。",
        "en": "No licence data on the card yet.",
    },
    "reason.R3.no_licence_data": {
        "ja": "このカードには免許情報が記録されていません。新しいカードの場合は再記録が必要です。",
        "en": "This card holds no licence data. A new card needs the licence recorded again.",
    },
    "reason.R3.licence_data_unexpected": {
        "ja": "このカードには免許情報が記録されています（マイナ免許証です）。",
        "en": "This card already holds licence data (it is a My Number card licence).",
    },
    "reason.R3.licence_data_as_stated": {
        "ja": "お答えのとおりです。",
        "en": "As you said.",
    },
    "reason.R5.free_area_insufficient": {
        "ja": "カードの空き容量が足りません。マイナ免許証の手続はできません。",
        "en": "There is not enough free space on the card for the licence.",
    },
    "reason.R5.free_area_unknown": {
        "ja": "空き容量はここでは確認できません。",
        "en": "Free space on the card cannot be checked here.",
    },
    "reason.R5.free_area_enough": {"ja": "空き容量があります。", "en": "There is enough free space."},
    "reason.R19.cert_unknown": {
        "ja": "電子証明書を確認できませんでした。",
        "en": "The electronic certificate could not be checked.",
    },
    "reason.R19.cert_expired": {
        "ja": "電子証明書の有効期限（5年）が切れています。",
        "en": "The electronic certificate (valid 5 years) has expired.",
    },
    "reason.R19.cert_unverified": {
        "ja": "電子証明書を確かめられませんでした。",
        "en": "The electronic certificate could not be verified.",
    },
    "reason.R19.cert_valid": {"ja": "有効です。", "en": "Valid."},
    "reason.R27.sign_cert_unknown": {
        "ja": "署名用電子証明書を確認できませんでした。",
        "en": "The signature certificate could not be checked.",
    },
    "reason.R27.no_sign_cert": {
        "ja": "署名用電子証明書がありません（15歳未満・顔認証カード・住所変更後など）。",
        "en": "There is no signature certificate (under 15, face-only card, or revoked after a move).",
    },
    "reason.R27.sign_cert_present": {"ja": "あります。", "en": "Present."},
    "reason.R18.sign_password_unknown": {
        "ja": "パスワードの残り回数を確認できませんでした。",
        "en": "Could not check the tries left for the password.",
    },
    "reason.R18.sign_password_locked": {
        "ja": "署名用パスワードがロックされています。免許の窓口では解除できません。",
        "en": "The signature password is locked. Licence counters cannot unlock it.",
    },
    "reason.R18.sign_password_few_tries": {
        "ja": "パスワードをあと少し間違えるとロックされます。自信がなければ先に市区町村で再設定を。",
        "en": "A few more wrong tries will lock the password. If unsure, reset it at your city office first.",
    },
    "reason.R18.sign_password_ok": {"ja": "使えます。", "en": "Usable."},
    "reason.R18.user_pin_unknown": {
        "ja": "暗証番号の残り回数を確認できませんでした。",
        "en": "Could not check the tries left for the PIN.",
    },
    "reason.R18.user_pin_locked": {
        "ja": "4桁の暗証番号がロックされています。マイナポータルの利用には解除が必要です。",
        "en": "The 4-digit PIN is locked. You need it unlocked to use Mynaportal.",
    },
    "reason.R18.user_pin_one_try": {
        "ja": "4桁の暗証番号はあと1回間違えるとロックされます。",
        "en": "One more wrong try will lock the 4-digit PIN.",
    },
    "reason.R18.user_pin_ok": {"ja": "使えます。", "en": "Usable."},
    "reason.R17.submission_permanent": {
        "ja": "署名用電子証明書の提出は、あとから取り消せません。窓口で署名用パスワードが必要です。",
        "en": "Submitting the signature certificate cannot be undone. You will need the signature password.",
    },
    "reason.R17.service_needs_myna_licence": {
        "ja": "サービス申請はマイナ免許証をお持ちの方が対象です。",
        "en": "These services are for holders of a My Number card licence.",
    },
    "reason.R21.onestop_myna_only": {
        "ja": "住所変更ワンストップサービスは「マイナ免許証のみ」の方が対象です。",
        "en": "The one-stop address change is only for holders of the My Number card licence alone.",
    },
    "reason.R24.via_class_not_eligible": {
        "ja": "経由更新は優良または一般の方が対象です。",
        "en": "Renewal for another prefecture is only for excellent or general drivers.",
    },
    "reason.R22.online_lecture_not_valid": {
        "ja": "オンライン講習は優良・一般の方が対象です。窓口で講習を受けてください。",
        "en": "The online lecture is only for excellent or general drivers. Take the lecture here.",
    },
    "reason.R15.closed_now": {
        "ja": "今は受付時間外です。",
        "en": "Reception for this procedure is closed at the moment.",
    },
    "reason.R15.closed_today": {
        "ja": "本日の受付は終了しました。",
        "en": "Reception for this procedure has ended for today.",
    },
    "reason.R15.daily_cap_reached": {
        "ja": "本日の受付人数に達しました。",
        "en": "Today's places for this procedure are full.",
    },
    "reason.store_unavailable": {
        "ja": "番号札を発行できませんでした。",
        "en": "A number could not be issued.",
    },
    "reason.queue_full": {
        "ja": "本日の番号札がなくなりました。",
        "en": "No more numbers can be issued today.",
    },
    # --- remedies ---------------------------------------------------------------------------------
    "remedy.municipal_office": {
        "ja": "お住まいの市区町村の窓口（マイナンバーカードの担当）へお越しください。",
        "en": "Please go to your city, town or village office (My Number card desk).",
    },
    "remedy.place_again": {
        "ja": "カードをもう一度置いてください。",
        "en": "Please place the card again.",
    },
    "remedy.bring_physical_card": {
        "ja": "マイナンバーカード本体を置いてください。",
        "en": "Please place the My Number card itself.",
    },
    "remedy.use_mynumber_card": {
        "ja": "マイナンバーカードを置いてください。",
        "en": "Please place your My Number card.",
    },
    "remedy.staff": {"ja": "窓口の職員が確認します。", "en": "Staff at the counter will check it."},
    "remedy.another_day": {
        "ja": "別の日にお越しください。受付時間は案内をご覧ください。",
        "en": "Please come another day. See the notice for reception hours.",
    },
    "remedy.reception_hours": {
        "ja": "受付時間内にお越しください。",
        "en": "Please come back during reception hours.",
    },
    # --- fees -------------------------------------------------------------------------------------
    "fee.procedure": {"ja": "手数料", "en": "Fee"},
    "fee.lecture": {"ja": "講習手数料", "en": "Lecture fee"},
    "fee.lecture_online": {"ja": "講習手数料（オンライン）", "en": "Lecture fee (online)"},
    "fee.total": {"ja": "合計（目安）", "en": "Total (estimate)"},
    "fee.yen": {"ja": "{yen:,}円", "en": "¥{yen:,}"},
    "fee.ask": {"ja": "窓口でご確認ください", "en": "Please ask at the counter"},
    "fee.note": {
        "ja": "金額は目安です。正確な金額は窓口でご確認ください。",
        "en": "Amounts are estimates. Please confirm at the counter.",
    },
}


def _merge(*parts: dict[str, Mapping[str, str]]) -> dict[str, Mapping[str, str]]:
    merged: dict[str, Mapping[str, str]] = {}
    for part in parts:
        clash = merged.keys() & part.keys()
        if clash:  # two owners of one key would make the words depend on import order
            raise ValueError(f"message keys defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


_M = _merge(_DOMAIN, UI_MESSAGES, TICKET_MESSAGES)


def text(key: str, lang: str, **params: object) -> str:
    """The words for `key` in `lang`, falling back to Japanese, then to the key itself.

    The fallback keeps a screen usable if a catalog is incomplete; tests make sure none is.
    """
    entry = _M.get(key)
    if entry is None:
        return key
    words = entry.get(lang) or entry.get("ja") or key
    return words.format(**params) if params else words


def has(key: str) -> bool:
    return key in _M


def keys() -> tuple[str, ...]:
    return tuple(_M)


def catalog() -> Mapping[str, Mapping[str, str]]:
    return _M
