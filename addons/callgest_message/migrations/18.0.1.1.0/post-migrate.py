"""Deliveries moved to queue_job: the cron (noupdate) enqueues, it no longer sends."""


def migrate(cr, version):
    cr.execute(
        """UPDATE ir_act_server SET code = 'model._cron_enqueue_due()'
            WHERE id = (SELECT ir_actions_server_id FROM ir_cron
                         WHERE id = (SELECT res_id FROM ir_model_data
                                      WHERE module = 'callgest_message'
                                        AND name = 'ir_cron_send_deliveries'))"""
    )
