#!/usr/bin/perl
# proxyd_create_referrals.t - CREATE through the frontend lands on the
# parent's backend and can be SELECTed in the same session; a name that
# exists is refused; a top-level name goes to the server named in
# "CREATE name server" or to a serverlist server; a parent level spanning
# two backends is refused; creating a user and SETQUOTA get NO with a
# referral.  After RLIST, SELECT answers with a referral to the backend.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd lmtpd proxyd ctl_mboxlist));

my $t = Murder::Proxy::murder();
my $s = Murder::Proxy::provision($t, alice => 0, bob => 1);
my $f = $t->frontend(0);
my ($b1, $b2) = map { $t->backend($_)->servername } 0, 1;

# server_of - the server of internal name $m in the frontend's list
sub server_of {
    my ($m) = @_;
    my %e = Murder::Proxy::frontend_entries($t);
    return ($e{$m} // '') =~ / s=\d+:(\S+)/ ? $1 : undef;
}

for my $u (['alice', $b1, 0], ['bob', $b2, 1]) {
    my ($user, $server) = @$u;
    my $c = Murder::MsgIMAP::client($f, $user);
    my $name = "INBOX${s}Projects";
    like(scalar $c->cmd("CREATE $name"), qr/^\S+ OK/, "$user: CREATE $name");
    like(scalar $c->cmd("SELECT $name"), qr/^\S+ OK/, "$user: SELECT it in the same session");
    is(server_of("user.$user.Projects"), $server, "$user: created on the INBOX's backend");
    like(scalar $c->cmd("CREATE $name"), qr/^\S+ NO \[ALREADYEXISTS\]/, "$user: again: NO");
    $c->cmd('LOGOUT');
}

my $a = Murder::Proxy::admin($f);
like(scalar $a->cmd("CREATE top1 $b2"), qr/^\S+ OK/, 'admin: CREATE top1 naming backend2');
is(server_of('top1'), $b2, '... on backend2');
like(scalar $a->cmd("CREATE top2"), qr/^\S+ OK/, 'admin: CREATE top2 (serverlist)');
ok(grep({ (server_of('top2') // '') eq $_ } $b1, $b2), '... on a serverlist server');
like(scalar $a->cmd("CREATE top1${s}kid"), qr/^\S+ OK/, 'admin: CREATE below top1');
is(server_of('top1.kid'), $b2, '... on the parent backend');
Murder::Proxy::admin_cmd($t->backend(0), "CREATE span${s}a");
Murder::Proxy::admin_cmd($t->backend(1), "CREATE span${s}b");
Murder::Proxy::sync_frontend($t, 'span.a', 'span.b');
like(scalar $a->cmd("CREATE span${s}c"), qr/^\S+ NO /, 'a parent level on two backends: NO');
like(scalar $a->cmd("CREATE user${s}dave"), qr/^\S+ NO \[REFERRAL imap:\/\//,
     'creating a user: NO with a referral');
like(scalar $a->cmd("SETQUOTA user${s}alice (STORAGE 100)"),
     qr/^\S+ NO \[REFERRAL imap:\/\/admin;AUTH=\*\@\Q$b1\E\//, 'SETQUOTA: referral to the backend');
$a->cmd('LOGOUT');

my $c = Murder::MsgIMAP::client($f, 'alice');
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'SELECT before RLIST is proxied');
my ($ok, @l) = $c->cmd('RLIST "" "*"');
like($ok, qr/^\S+ OK/, 'RLIST');
ok((grep { /"INBOX"$/ } @l), 'RLIST lists like LIST');
like(scalar $c->cmd('SELECT INBOX'),
     qr/^\S+ NO \[REFERRAL imap:\/\/alice;AUTH=\*\@\Q$b1\E\/INBOX\]/,
     'after RLIST: SELECT refers to the backend');
like(scalar $c->cmd('FETCH 1 FLAGS'), qr/BAD/, 'nothing selected after the referral');
$c->cmd('LOGOUT');
$t->stop;

# proxyd_disable_mailbox_referrals: always proxied
$t = Murder::Proxy::murder(frontend_config => { proxyd_disable_mailbox_referrals => 1 });
Murder::Proxy::provision($t, alice => 0);
$c = Murder::MsgIMAP::client($t->frontend(0), 'alice');
$c->cmd('RLSUB "" "*"');
like(scalar $c->cmd('SELECT INBOX'), qr/^\S+ OK/, 'referrals disabled: SELECT proxied after RLSUB');
$c->cmd('LOGOUT');
$t->stop;
done_testing;
