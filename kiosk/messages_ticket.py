"""Words used only by the ticket (see kiosk/messages.py for the key scheme and the lookup).

`ticket.reason.<code>` are short labels of the pre-check reason codes for the counter clerk: a
few words each, so a label fits one line of 58 mm paper (a test holds it to that), printed with
its code under it. The long explanations for the visitor stay under `reason.<code>`. The ticket
prints the Japanese label (the clerk's language); the English one is there for previews and
staff who read English.
"""

from __future__ import annotations

from collections.abc import Mapping

TICKET_MESSAGES: dict[str, Mapping[str, str]] = {
    # --- top --------------------------------------------------------------------------------------
    "ticket.number": {"ja": "受付番号", "en": "Your number"},
    # --- counter ----------------------------------------------------------------------------------
    "ticket.go_to": {"ja": "次の窓口へお越しください", "en": "Please go to"},
    "ticket.counter": {"ja": "{floor}　{number}番窓口", "en": "Counter {number} ({floor})"},
    "ticket.counter_example": {
        "ja": "窓口の番号は館内の案内表示でもご確認ください。",
        "en": "Please also check the signs in the hall for the counter number.",
    },
    # --- procedure --------------------------------------------------------------------------------
    "ticket.procedure": {"ja": "手続", "en": "Procedure"},
    "ticket.after": {"ja": "手続後の保有状況", "en": "What you will hold afterwards"},
    # --- fees -------------------------------------------------------------------------------------
    "ticket.fees": {"ja": "お支払い（目安）", "en": "What you will pay (estimate)"},
    "ticket.fee_line": {"ja": "{what}　{amount}", "en": "{what}: {amount}"},
    # --- bring ------------------------------------------------------------------------------------
    "ticket.bring": {"ja": "窓口でお出しいただくもの", "en": "Please have these ready"},
    "ticket.bullet": {"ja": "・{item}", "en": "- {item}"},
    # --- for the clerk ----------------------------------------------------------------------------
    "ticket.clerk": {"ja": "事前チェック（窓口確認用）", "en": "Pre-check, for staff"},
    # --- bottom -----------------------------------------------------------------------------------
    # U+00A0 keeps each label on the same line as its value when the line wraps on 58 mm paper.
    "ticket.issued": {"ja": "発行\u00a0{time}　端末\u00a0{kiosk}", "en": "Issued\u00a0{time}  Kiosk\u00a0{kiosk}"},
    "ticket.wait": {
        "ja": "お呼びするまでお待ちください。\nこの券は窓口でお渡しください。",
        "en": "Please wait until your number is called, then hand this ticket to the counter.",
    },
    # --- pre-check reason codes, short (one per `reason.R…` key of kiosk/messages.py) --------------
    "ticket.reason.R11.card_not_updated": {
        "ja": "カードの住所・氏名が未変更",
        "en": "Card address/name not updated",
    },
    "ticket.reason.R11.card_up_to_date": {"ja": "カードの住所・氏名は最新", "en": "Card data up to date"},
    "ticket.reason.R3.myna_card_lost": {"ja": "マイナカード紛失", "en": "My Number card lost"},
    "ticket.reason.R3.myna_card_lost_licence_card_today": {
        "ja": "マイナカード紛失・本日は免許証",
        "en": "Myna card lost; licence card today",
    },
    "ticket.reason.R3.mynumber_card": {"ja": "マイナンバーカード", "en": "My Number card"},
    "ticket.reason.R3.smartphone_jpki": {"ja": "スマホ（カード本体なし）", "en": "Smartphone, no card"},
    "ticket.reason.R3.juki_card": {"ja": "住基カード", "en": "Juki card"},
    "ticket.reason.R3.licence_card_not_mynumber": {"ja": "免許証をタッチ", "en": "Licence card tapped"},
    "ticket.reason.R3.not_a_mynumber_card": {"ja": "対象外のカード", "en": "Not a My Number card"},
    "ticket.reason.R5.chip_unreadable": {"ja": "ICチップ読取不可", "en": "Chip unreadable"},
    "ticket.reason.R4.card_expired": {"ja": "カード有効期限切れ", "en": "Card expired"},
    "ticket.reason.R4.card_expiring_soon": {"ja": "カード有効期限が近い", "en": "Card expires soon"},
    "ticket.reason.R4.card_valid": {"ja": "カード有効期限内", "en": "Card valid"},
    "ticket.reason.R4.card_expiry_unknown": {"ja": "カード有効期限 不明", "en": "Card expiry unknown"},
    "ticket.reason.R3.licence_data_unknown": {"ja": "免許情報の有無 不明", "en": "Licence data unknown"},
    "ticket.reason.R3.already_recorded": {"ja": "免許情報 記録済み", "en": "Licence data already on card"},
    "ticket.reason.R3.ready_to_record": {"ja": "免許情報 未記録", "en": "No licence data yet"},
    "ticket.reason.R3.no_licence_data": {
        "ja": "免許情報なし（申告はマイナ免許証）",
        "en": "No licence data, said Myna licence",
    },
    "ticket.reason.R3.licence_data_unexpected": {
        "ja": "免許情報あり（申告は免許証のみ）",
        "en": "Licence data, said card only",
    },
    "ticket.reason.R3.licence_data_as_stated": {"ja": "免許情報 申告どおり", "en": "Licence data as stated"},
    "ticket.reason.R5.free_area_insufficient": {"ja": "空き容量不足", "en": "Free area too small"},
    "ticket.reason.R5.free_area_unknown": {"ja": "空き容量 未確認", "en": "Free area not checked"},
    "ticket.reason.R5.free_area_enough": {"ja": "空き容量あり", "en": "Free area enough"},
    "ticket.reason.R19.cert_unknown": {"ja": "電子証明書 不明", "en": "Certificate unknown"},
    "ticket.reason.R19.cert_expired": {"ja": "電子証明書 期限切れ", "en": "Certificate expired"},
    "ticket.reason.R19.cert_unverified": {"ja": "電子証明書 検証できず", "en": "Certificate not verified"},
    "ticket.reason.R19.cert_valid": {"ja": "電子証明書 有効", "en": "Certificate valid"},
    "ticket.reason.R27.sign_cert_unknown": {"ja": "署名用証明書 不明", "en": "Signature cert unknown"},
    "ticket.reason.R27.no_sign_cert": {"ja": "署名用証明書なし", "en": "No signature cert"},
    "ticket.reason.R27.sign_cert_present": {"ja": "署名用証明書あり", "en": "Signature cert present"},
    "ticket.reason.R18.sign_password_unknown": {
        "ja": "署名用パスワード 残り回数不明",
        "en": "Signature password tries unknown",
    },
    "ticket.reason.R18.sign_password_locked": {
        "ja": "署名用パスワード ロック中",
        "en": "Signature password locked",
    },
    "ticket.reason.R18.sign_password_few_tries": {
        "ja": "署名用パスワード 残り回数わずか",
        "en": "Signature password: few tries left",
    },
    "ticket.reason.R18.sign_password_ok": {"ja": "署名用パスワード 使用可", "en": "Signature password usable"},
    "ticket.reason.R18.user_pin_unknown": {"ja": "4桁暗証番号 残り回数不明", "en": "PIN tries unknown"},
    "ticket.reason.R18.user_pin_locked": {"ja": "4桁暗証番号 ロック中", "en": "PIN locked"},
    "ticket.reason.R18.user_pin_one_try": {"ja": "4桁暗証番号 残り1回", "en": "PIN: one try left"},
    "ticket.reason.R18.user_pin_ok": {"ja": "4桁暗証番号 使用可", "en": "PIN usable"},
    "ticket.reason.R17.submission_permanent": {
        "ja": "署名用証明書の提出は取消不可",
        "en": "Signature cert submission is final",
    },
    "ticket.reason.R17.service_needs_myna_licence": {
        "ja": "マイナ免許証なし",
        "en": "No My Number card licence",
    },
    "ticket.reason.R21.onestop_myna_only": {"ja": "ワンストップ対象外", "en": "One-stop: not eligible"},
    "ticket.reason.R24.via_class_not_eligible": {
        "ja": "経由更新の対象外（講習区分）",
        "en": "Via-renewal: class not eligible",
    },
    "ticket.reason.R22.online_lecture_not_valid": {
        "ja": "オンライン講習の対象外（講習区分）",
        "en": "Online lecture: class not eligible",
    },
    "ticket.reason.R15.closed_now": {"ja": "受付時間外", "en": "Outside reception hours"},
    "ticket.reason.R15.closed_today": {"ja": "本日の受付終了", "en": "Reception ended today"},
    "ticket.reason.R15.daily_cap_reached": {"ja": "本日の受付人数に到達", "en": "Daily cap reached"},
}
