def migrate(cr, version):
    """The refusal email names no client any more: it shows sender_notice,
    not refusal_reason. The template is noupdate data: mend it in every
    language it has."""
    cr.execute(
        """UPDATE mail_template
              SET body_html = replace(
                      body_html::text, 'object.refusal_reason', 'object.sender_notice'
                  )::jsonb
            WHERE id = (SELECT res_id FROM ir_model_data
                         WHERE module = 'callgest_protocols'
                           AND name = 'mail_template_change_request_refused')"""
    )
