from . import ddi_assign_wizard
