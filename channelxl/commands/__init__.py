"""One module per command, each exposing the one library call the command line and the
demo both use (``cli.py`` only parses options and prints ``run.summary()``):

| Command | Module | Library call | Returns |
|---|---|---|---|
| ``channelxl check`` | ``commands.check`` | ``check_program_workbook`` | ``ProgramCheck`` |
| ``channelxl template`` | ``commands.template`` | ``write_templates`` | ``TemplateRun`` |
| ``channelxl ingest`` | ``commands.ingest`` | ``ingest`` | ``IngestRun`` |
| ``channelxl held`` | ``commands.held`` | ``list_held``, ``accept_held``, ``reject_held`` | ``HeldList``, ``HeldDecision`` |
| ``channelxl received`` | ``commands.received_at`` | ``show_received``, ``correct_received`` | ``ReceivedList``, ``ReceivedCorrection`` |
| ``channelxl export`` | ``commands.export`` | ``export_table`` | ``ExportRun`` |
| ``channelxl rebates`` | ``commands.statement`` | ``rebate_statement`` | ``StatementRun`` |
| ``channelxl reconcile`` | ``commands.reconciliation`` | ``reconcile`` | ``ReconcileRun`` |
| ``channelxl territory`` | ``commands.territory_check`` | ``check_territory`` | ``TerritoryRun`` |
| ``channelxl qbr`` | ``commands.qbr`` | ``quarterly_reviews`` | ``reports.batch.QbrRun`` |
| ``channelxl addin`` | ``commands.addin`` | ``build_calc_addin``, ``install_calc_addin`` | ``AddinRun`` |

``channelxl init`` is ``workspace.init``, ``channelxl demo`` is ``demo.run_demo`` and
``channelxl functions`` lists ``excel.registry``. Quarters and months arrive parsed
(``core.periods.Quarter``, ``Month``); each result names the files it wrote.
"""
