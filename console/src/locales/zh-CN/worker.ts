/** Strings of the worker's screens (console/src/worker/), phone first. */
export const worker = {
  nav: {
    signIn: '登录',
    submit: '我要点单',
    myDemands: '我的需求',
    endorsed: '我附议的',
  },
  signIn: {
    title: '登录纽带',
    intro: '职工点单、工会买单：提出您的服务需求，社会组织来响应。',
    tabSignIn: '登录',
    tabSignUp: '注册',
    login: '手机号或邮箱',
    loginPlaceholder: '请输入手机号',
    password: '密码',
    submit: '登录',
    failed: '手机号或密码不正确。',
  },
  signUp: {
    displayName: '称呼',
    displayNamePlaceholder: '别人看到的名字',
    mobile: '手机号',
    mobilePlaceholder: '11 位手机号',
    password: '密码',
    passwordHelp: '至少 8 位',
    submit: '注册并登录',
    conflict: '该手机号已注册，请直接登录。',
  },
};
