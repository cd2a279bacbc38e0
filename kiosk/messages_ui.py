"""Words used only by the ui (see kiosk/messages.py for the key scheme and the lookup).

Every key starts with `ui.` and has a text in each language of `kiosk.messages.LANGUAGES`.
`ui.lang.<code>` names a language; the language bar shows each in its own language.
Short sentences, the action first: most visitors read these standing, many without glasses.
"""

from __future__ import annotations

from collections.abc import Mapping

UI_MESSAGES: dict[str, Mapping[str, str]] = {
    # --- everywhere ------------------------------------------------------------------------------
    "ui.lang.ja": {"ja": "日本語", "en": "Japanese"},
    "ui.lang.en": {"ja": "英語", "en": "English"},
    "ui.back": {"ja": "戻る", "en": "Back"},
    "ui.staff": {"ja": "係員を呼ぶ", "en": "Call staff"},
    "ui.staff_called": {
        "ja": "係員を呼びました。このままお待ちください。",
        "en": "Staff have been called. Please wait here.",
    },
    "ui.idle": {
        "ja": "あと{seconds}秒で最初の画面に戻ります。",
        "en": "Returning to the start in {seconds} s.",
    },
    "ui.idle.keep": {"ja": "続けるときは、ボタンを押してください。", "en": "Press a button to continue."},
    "ui.close": {"ja": "閉じる", "en": "Close"},
    "ui.page.next": {"ja": "次のページ", "en": "Next page"},
    "ui.page.previous": {"ja": "前のページ", "en": "Previous page"},
    "ui.page.of": {"ja": "{page} / {pages} ページ", "en": "Page {page} of {pages}"},
    "ui.simulation": {"ja": "模擬（シミュレーション）", "en": "SIMULATION"},
    "ui.next": {"ja": "次へ", "en": "Next"},
    "ui.finish": {"ja": "終わる", "en": "Finish"},
    "ui.hours.span": {"ja": "{start}〜{end}", "en": "{start}–{end}"},
    "ui.list.join": {"ja": "、", "en": ", "},
    "ui.hours.none": {"ja": "本日の受付はありません", "en": "no reception today"},
    "ui.hours.unconfirmed": {
        "ja": "受付時間は窓口でご確認ください。",
        "en": "Please confirm the reception hours at the counter.",
    },
    "ui.counter": {"ja": "{floor} {number}番窓口", "en": "Counter {number} ({floor})"},
    "ui.counter.unconfirmed": {
        "ja": "窓口の番号は、館内の案内表示でご確認ください。",
        "en": "Please check the counter number on the signs in the hall.",
    },
    # --- welcome and language -------------------------------------------------------------------
    "ui.start": {"ja": "タッチしてください", "en": "Touch to start"},
    "ui.welcome.what": {
        "ja": "手続の番号札をお渡しします。マイナンバーカードの確認もできます。",
        "en": "Get a number ticket for your procedure. Your My Number card can be checked here too.",
    },
    "ui.language.title": {"ja": "ことばを選んでください", "en": "Choose your language"},
    # --- procedure ------------------------------------------------------------------------------
    "ui.procedure.title": {"ja": "ご用件を選んでください", "en": "What would you like to do?"},
    "ui.availability.open": {"ja": "受付中", "en": "Open now"},
    "ui.availability.closed_now": {
        "ja": "ただいま受付時間外（本日の受付 {hours}）",
        "en": "Closed now (today: {hours})",
    },
    "ui.availability.closed_now_brief": {"ja": "受付時間外 {hours}", "en": "Closed now · {hours}"},
    "ui.availability.closed_today": {"ja": "本日の受付は終了しました", "en": "Closed for today"},
    "ui.availability.full": {"ja": "本日の受付人数に達しました", "en": "Full for today"},
    # --- card -----------------------------------------------------------------------------------
    "ui.card.title": {"ja": "マイナンバーカードの確認", "en": "Checking your My Number card"},
    "ui.card.place": {
        "ja": "マイナンバーカードを、読み取り機の上に置いてください。",
        "en": "Place your My Number card flat on the card reader.",
    },
    "ui.card.privacy": {
        "ja": "暗証番号は入力しません。お名前・住所・個人番号は読み取りません。",
        "en": "No PIN is needed. Your name, address and My Number are not read.",
    },
    "ui.card.leave": {
        "ja": "確認が終わるまで、置いたままにしてください。",
        "en": "Leave it there until the check is finished.",
    },
    "ui.card.checking": {"ja": "確認している項目", "en": "What is being checked"},
    "ui.card.reading": {
        "ja": "読み取っています。カードを動かさないでください。",
        "en": "Reading. Please do not move the card.",
    },
    "ui.card.place_again": {
        "ja": "読み取りの途中でカードが動きました。もう一度置いてください。",
        "en": "The card moved while it was being read. Please place it again.",
    },
    "ui.card.reader_problem": {
        "ja": "カード読み取り機が使えません。「係員を呼ぶ」を押してください。",
        "en": "The card reader is not working. Please press “Call staff”.",
    },
    # --- verdict --------------------------------------------------------------------------------
    "ui.verdict.title": {"ja": "確認の結果", "en": "Check results"},
    "ui.verdict.summary.ok": {"ja": "問題は見つかりませんでした。", "en": "No problem found."},
    "ui.verdict.summary.warn": {
        "ja": "手続はできます。ご注意があります。",
        "en": "You can go ahead. Please note the points below.",
    },
    "ui.verdict.summary.unknown": {
        "ja": "手続はできます。一部は窓口で確認します。",
        "en": "You can go ahead. Staff will check some points.",
    },
    "ui.verdict.summary.block": {
        "ja": "この手続は、今日はできません。",
        "en": "This procedure is not possible today.",
    },
    "ui.verdict.line": {"ja": "{check}：{outcome}", "en": "{check}: {outcome}"},
    "ui.verdict.item": {"ja": "{check}：{reason}", "en": "{check}: {reason}"},
    "ui.verdict.remedy": {"ja": "→ {remedy}", "en": "→ {remedy}"},
    # --- confirm and ticket ---------------------------------------------------------------------
    "ui.confirm.title": {"ja": "受付窓口のご案内", "en": "Where to go"},
    "ui.confirm.fees": {"ja": "手数料（目安）", "en": "Fees (estimate)"},
    "ui.confirm.bring": {"ja": "窓口でお出しいただくもの", "en": "Have these ready at the counter"},
    "ui.get_ticket": {"ja": "番号札を受け取る", "en": "Get a ticket"},
    "ui.ticket.issuing": {"ja": "番号札を印刷しています…", "en": "Printing your ticket…"},
    "ui.ticket.your_number": {"ja": "あなたの番号", "en": "Your number"},
    "ui.ticket.take_card": {
        "ja": "カードをお忘れなく。読み取り機からお取りください。",
        "en": "Do not forget your card: take it from the reader.",
    },
    "ui.ticket.take": {"ja": "番号札をお取りください。", "en": "Please take your ticket."},
    "ui.ticket.print_failed": {
        "ja": "番号札を印刷できませんでした。この番号を係員にお見せください。",
        "en": "The ticket could not be printed. Please show this number to staff.",
    },
    "ui.ticket.failed": {
        "ja": "「係員を呼ぶ」を押してください。",
        "en": "Please press “Call staff”.",
    },
    "ui.goodbye.take_both": {
        "ja": "番号札とカードをお取りください。",
        "en": "Please take your ticket and your card.",
    },
    "ui.goodbye.card_left": {
        "ja": "カードが読み取り機に残っています。お取りください。",
        "en": "Your card is still on the reader. Please take it.",
    },
    "ui.goodbye.thanks": {"ja": "ご利用ありがとうございました", "en": "Thank you"},
    # --- refusal --------------------------------------------------------------------------------
    "ui.refusal.title": {"ja": "申し訳ありません", "en": "We are sorry"},
    "ui.refusal.what_to_do": {"ja": "どうすればよいか", "en": "What to do"},
    "ui.refusal.hours": {"ja": "本日の受付時間：{hours}", "en": "Today's reception hours: {hours}"},
}
