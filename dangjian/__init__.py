"""dangjian 智慧党建平台."""
