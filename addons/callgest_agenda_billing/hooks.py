def post_init_hook(env):
    """The numbers typed before this addon stay billed: typed by hand."""
    env.cr.execute(
        """UPDATE res_partner p
              SET callgest_agenda_modules_manual = t.manual
             FROM (SELECT id, jsonb_object_agg(key, true) AS manual
                     FROM res_partner, jsonb_each(callgest_agenda_modules)
                    WHERE (value #>> '{}')::numeric > 0
                    GROUP BY id) t
            WHERE p.id = t.id"""
    )
    env["res.partner"].invalidate_model()
