"""Sponsors in the loop: a sponsor's account, the reason a sponsorship ended, the laureate's
project as told to their sponsor, the meetings log and the yearly fit answer; the referents'
role reads and logs meetings and reads the fit answers (roles synced as in emergence 0003)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from emergence.roles import roles_migrate


class Migration(migrations.Migration):

    dependencies = [
        ('laureates', '0008_situations_degree_search_freshness_placement_end'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('emergence', '0008_roles_offers'),
    ]

    operations = [
        migrations.CreateModel(
            name='SponsorMeeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date of the meeting')),
                ('mode', models.CharField(choices=[('in_person', 'in person'), ('video', 'video call'), ('phone', 'phone call')], max_length=10, verbose_name='how')),
                ('topics', models.JSONField(blank=True, default=list, verbose_name='topics')),
                ('note', models.TextField(blank=True, help_text='The sponsor and the laureate both read it.', max_length=2000, verbose_name='note for both of you')),
                ('private_note', models.TextField(blank=True, help_text='Only the programme team reads it.', max_length=2000, verbose_name='note for the programme team only')),
                ('logged_by', models.CharField(choices=[('sponsor', 'the sponsor'), ('laureate', 'the laureate'), ('staff', 'the programme team')], max_length=10, verbose_name='logged by')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed at')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='logged at')),
            ],
            options={
                'verbose_name': 'sponsor meeting',
                'verbose_name_plural': 'sponsor meetings',
                'ordering': ['-date', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='SponsorshipFit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('side', models.CharField(choices=[('sponsor', 'the sponsor'), ('laureate', 'the laureate')], max_length=10, verbose_name='side')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('score', models.PositiveSmallIntegerField(verbose_name='score (1 to 5)')),
                ('comment', models.TextField(blank=True, max_length=2000, verbose_name='comment')),
                ('answered_at', models.DateTimeField(auto_now_add=True, verbose_name='answered at')),
            ],
            options={
                'verbose_name': 'sponsorship fit answer',
                'verbose_name_plural': 'sponsorship fit answers',
                'ordering': ['-year', 'sponsorship', 'side'],
            },
        ),
        migrations.AddField(
            model_name='historicallaureate',
            name='project_for_sponsor',
            field=models.TextField(blank=True, help_text='A few lines your sponsor reads on their page; nothing else you write.', max_length=1000, verbose_name='my professional project, for my sponsor'),
        ),
        migrations.AddField(
            model_name='historicalsponsorship',
            name='end_reason',
            field=models.CharField(blank=True, choices=[('moved', 'moved away'), ('no_time', 'no time any more'), ('mismatch', 'not a good match'), ('laureate_left', 'the laureate left the programme'), ('graduated', 'the laureate graduated')], max_length=20, verbose_name='reason for ending'),
        ),
        migrations.AddField(
            model_name='laureate',
            name='project_for_sponsor',
            field=models.TextField(blank=True, help_text='A few lines your sponsor reads on their page; nothing else you write.', max_length=1000, verbose_name='my professional project, for my sponsor'),
        ),
        migrations.AddField(
            model_name='sponsor',
            name='user',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sponsor', to=settings.AUTH_USER_MODEL, verbose_name='account'),
        ),
        migrations.AddField(
            model_name='sponsorship',
            name='end_reason',
            field=models.CharField(blank=True, choices=[('moved', 'moved away'), ('no_time', 'no time any more'), ('mismatch', 'not a good match'), ('laureate_left', 'the laureate left the programme'), ('graduated', 'the laureate graduated')], max_length=20, verbose_name='reason for ending'),
        ),
        migrations.AddConstraint(
            model_name='sponsorship',
            constraint=models.CheckConstraint(condition=models.Q(('end_reason', ''), ('ended_on__isnull', False), _connector='OR'), name='sponsorship_end_reason_only_when_ended', violation_error_message='Only an ended sponsorship has a reason for ending.'),
        ),
        migrations.AddField(
            model_name='sponsormeeting',
            name='sponsorship',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meetings', to='laureates.sponsorship', verbose_name='sponsorship'),
        ),
        migrations.AddField(
            model_name='sponsorshipfit',
            name='sponsorship',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fits', to='laureates.sponsorship', verbose_name='sponsorship'),
        ),
        migrations.AddIndex(
            model_name='sponsormeeting',
            index=models.Index(fields=['sponsorship', 'date'], name='laureates_s_sponsor_d212c3_idx'),
        ),
        migrations.AddConstraint(
            model_name='sponsormeeting',
            constraint=models.CheckConstraint(condition=models.Q(('logged_by__in', ['sponsor', 'laureate', 'staff'])), name='sponsor_meeting_logged_by_a_side'),
        ),
        migrations.AddConstraint(
            model_name='sponsormeeting',
            constraint=models.CheckConstraint(condition=models.Q(('mode__in', ['in_person', 'video', 'phone'])), name='sponsor_meeting_mode_known'),
        ),
        migrations.AddConstraint(
            model_name='sponsorshipfit',
            constraint=models.UniqueConstraint(fields=('sponsorship', 'side', 'year'), name='one_fit_answer_per_side_and_year', violation_error_message='This question was already answered this year.'),
        ),
        migrations.AddConstraint(
            model_name='sponsorshipfit',
            constraint=models.CheckConstraint(condition=models.Q(('score__gte', 1), ('score__lte', 5)), name='sponsorship_fit_score_1_to_5'),
        ),
        migrations.AddConstraint(
            model_name='sponsorshipfit',
            constraint=models.CheckConstraint(condition=models.Q(('side__in', ['sponsor', 'laureate'])), name='sponsorship_fit_side'),
        ),
        migrations.RunPython(roles_migrate, migrations.RunPython.noop),
    ]
